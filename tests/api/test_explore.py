"""The optimizer race and the activation gallery over HTTP."""

from __future__ import annotations

import numpy as np

from engine.optimizers import OPTIMIZERS
from engine.race import run_race


def test_surfaces_have_contour_grids(client):
    surfaces = client.get("/api/race/surfaces").json()
    assert {s["name"] for s in surfaces} == {"ravine", "rosenbrock", "beale", "saddle"}
    for s in surfaces:
        assert np.array(s["z"]).shape == (len(s["y"]), len(s["x"]))


def test_race_paths_are_the_engines(client):
    res = client.post("/api/race", json={"surface": "rosenbrock", "learning_rate": 0.001, "steps": 50})
    assert res.status_code == 200
    paths = res.json()["paths"]
    assert set(paths) == set(OPTIMIZERS)
    expected = run_race("rosenbrock", 0.001, 50)
    for kind in OPTIMIZERS:
        assert np.allclose(paths[kind], expected[kind])


def test_race_start_and_subset(client):
    res = client.post("/api/race", json={"surface": "saddle", "learning_rate": 0.1, "steps": 3,
                                         "start": [1.0, 0.5], "optimizers": ["sgd", "adam"]})
    paths = res.json()["paths"]
    assert set(paths) == {"sgd", "adam"} and paths["sgd"][0] == [1.0, 0.5]
    assert paths["sgd"][1] == [0.8, 0.6]


def test_race_refuses_bad_input(client):
    for body in ({"surface": "himmelblau"}, {"learning_rate": 0}, {"steps": 10**6},
                 {"start": [1.0]}, {"optimizers": ["lbfgs"]}, {"start": [1e9, 0.0]}):
        res = client.post("/api/race", json=body)
        assert res.status_code == 422, body
        assert res.json()["detail"]


def test_activation_gallery(client):
    curves = client.get("/api/activations/curves").json()
    assert curves["relu"]["f"][0] == 0 and curves["relu"]["df"][-1] == 1
    dist = client.get("/api/activations/distribution", params={"activation": "tanh", "init": "small"})
    assert dist.status_code == 200 and sum(dist.json()["a"]["counts"]) == 500 * 100
    assert client.get("/api/activations/distribution", params={"init": "zeros"}).status_code == 422
