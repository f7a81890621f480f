"""nnplay's training engine: NumPy + Numba, no web imports.

    from engine.spec import parse_request
    from engine.train import train
    train(parse_request(request_dict), print)
"""
