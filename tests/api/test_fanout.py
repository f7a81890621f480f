"""The per-client outbox: bounded, never blocking the producer, newest feature maps win."""

from __future__ import annotations

import asyncio

from server import events
from server.fanout import Outbox


def epoch(n: int) -> events.WireEvent:
    return events.encode({"type": "epoch", "epoch": n})


def maps(n: int, layer: int) -> events.WireEvent:
    return events.encode({"type": "feature_maps", "epoch": n, "layer": layer, "maps": []})


def drain(outbox: Outbox) -> list[events.WireEvent | None]:
    async def take() -> list[events.WireEvent | None]:
        return [await outbox.next() for _ in range(len(outbox) or 1)]

    return asyncio.run(take())


def test_newer_feature_maps_replace_unsent_ones_of_the_same_layer() -> None:
    outbox = Outbox(limit=100)
    for event in (epoch(1), maps(1, 0), maps(1, 2), epoch(2), maps(2, 0)):
        outbox.push(event)
    sent = [(e.type, e.layer) for e in drain(outbox)]
    assert sent == [("epoch", None), ("feature_maps", 2), ("epoch", None), ("feature_maps", 0)]


def test_a_client_that_falls_behind_is_cut_off_not_waited_for() -> None:
    outbox = Outbox(limit=3)
    for n in range(10):
        outbox.push(epoch(n))  # never blocks
    assert outbox.overflowed
    assert drain(outbox) == [None]


def test_non_finite_numbers_become_null() -> None:
    event = events.encode({"type": "epoch", "train_loss": float("nan"), "x": [float("inf")]})
    assert '"train_loss":null' in event.text and '"x":[null]' in event.text
