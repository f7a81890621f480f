"""Numba kernels for the loops NumPy cannot vectorize well.

Every kernel is `@njit(cache=True)`, so it is compiled once per machine and
loaded from Numba's on-disk cache by later processes (see engine.warmup).
"""
