"""/metrics and the richer /api/health in the default, single-node mode."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.samples import xor


def test_metrics_are_prometheus_text(client: TestClient) -> None:
    client.post("/api/runs", json=xor())
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    lines = answer.text.splitlines()
    assert "nnplay_queue_length 1" in lines
    assert 'nnplay_runs{status="queued"} 1' in lines
    assert "# TYPE nnplay_epochs_total counter" in lines and "nnplay_epochs_total 0" in lines
    assert 'nnplay_event_latency_seconds_bucket{le="+Inf"} 0' in lines
    assert all(line.startswith("#") or len(line.split(" ")) == 2 for line in lines)


def test_health_reports_the_database(client: TestClient) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["mode"] == "embedded"
    assert health["database"] == {"ok": True, "detail": None} and health["redis"] is None
