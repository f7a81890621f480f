"""Schemathesis against /openapi.json of a real server: no 500, no answer outside the schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from engine.model import Model, model_to_bytes
from engine.spec import parse_request
from server.app import create_app
from server.settings import Settings
from tests.api.live_server import LiveServer
from tests.api.samples import tiny_mnist

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """No training workers: valid runs queue up, which exercises every route without training."""
    base: Path = tmp_path_factory.mktemp("schema")
    model = base / "digit_model.npz"
    model.write_bytes(model_to_bytes(Model.new(parse_request(tiny_mnist()))))
    env = {"NNPLAY_DIGIT_MODEL": str(model)}
    with LiveServer(base / "runs.sqlite", 0, base / "server.log", env=env) as server:
        yield server


# The schema is the app's own (building the app starts nothing); requests go to the real server.
# (Schemathesis' lazy `from_fixture` loader does not work with this pytest version.)
schema = schemathesis.openapi.from_dict(create_app(Settings(workers=0)).openapi())


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case, api_server: LiveServer) -> None:
    case.call_and_validate(base_url=api_server.url, checks=CHECKS)
