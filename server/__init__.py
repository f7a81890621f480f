"""nnplay's web server: REST, WebSockets and the training worker pool around `engine`.

Kept free of imports so that spawned worker processes load only what they use.
"""
