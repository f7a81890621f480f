"""Scale-out mode: runs queued in Redis and trained by `python -m server.worker` on any machine.

Chosen with NNPLAY_REDIS_URL or `--redis`; without it the embedded pool
(server/runs.py) serves alone. The design and why are in README.md,
"Scaling out".
"""
