"""Fixtures for the API tests: an in-process app without workers, and real server processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.api.live_server import LiveServer
from tests.conftest import MNIST_DIR


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """No training processes: runs stay queued, which is all the REST checks need."""
    return Settings(db_path=tmp_path / "runs.sqlite", workers=0,
                    digit_model_path=tmp_path / "no-model.npz")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real server with one training worker, shared by the end-to-end tests."""
    base = tmp_path_factory.mktemp("live")
    data_dir = MNIST_DIR if MNIST_DIR.exists() else None
    with LiveServer(base / "runs.sqlite", 1, base / "server.log", data_dir) as server:
        yield server
