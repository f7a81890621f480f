"""Numba kernels for the loops NumPy cannot vectorize well.

Every kernel is `@njit(cache=True)`, so it is compiled once per machine and
loaded from Numba's on-disk cache by later processes (see engine.warmup).
"""

#: Options of the element-wise kernels. fastmath: LLVM may fuse multiply-adds
#: and use reciprocals, but must keep NaN and inf (a diverging run has to be
#: seen as diverging). error_model="numpy": x/0 gives inf or NaN, as in NumPy,
#: instead of raising ZeroDivisionError; the check behind that exception keeps
#: LLVM from vectorizing any loop that divides (σ's last pass ran 6× slower).
ELEMENTWISE = {"cache": True, "nogil": True, "error_model": "numpy",
               "fastmath": {"contract", "arcp", "nsz", "afn"}}
