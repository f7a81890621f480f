# nnplay: the playground server. Build: docker build -t nnplay .  Run: docker run -p 8000:8000 -v nnplay:/data nnplay
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    NNPLAY_DB=/data/nnplay.sqlite \
    NNPLAY_DATA_DIR=/data/datasets \
    NUMBA_CACHE_DIR=/data/numba-cache

WORKDIR /app
COPY pyproject.toml README.md ./
COPY engine ./engine
COPY server ./server
COPY templates ./templates
COPY static ./static
COPY lessons ./lessons
RUN pip install . \
    && useradd --create-home --uid 10001 nnplay \
    && mkdir -p /data \
    && chown nnplay /data

USER nnplay
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"]

# Run from /app so the templates and static files next to the packages are found.
CMD ["python", "-m", "server", "--host", "0.0.0.0", "--port", "8000"]
