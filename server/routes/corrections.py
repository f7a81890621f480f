""""That's wrong": digits the student relabelled, kept per client as a small personal data set."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Path, Query, Request, Response

from engine.corrections import corrections_to_bytes
from server.errors import Conflict, NotFound
from server.routes.runs import ClientHeader, ClientId, client_of
from server.schemas import (
    BODY_REFUSALS,
    PIXELS,
    Correction,
    CorrectionCount,
    CorrectionDeleted,
    CorrectionIn,
    ErrorAnswer,
)
from server.state import Nnplay
from server.store import CorrectionRecord

router = APIRouter(prefix="/api/corrections", tags=["corrections"])

#: corrections one client may keep (a personal data set, not a dump)
MAX_CORRECTIONS_PER_CLIENT = 5000
#: the largest id SQLite can store (bigger path ids are simply unknown)
MAX_ID = 2**63 - 1

NOT_FOUND = {404: {"model": ErrorAnswer, "description": "the client has no correction with this id"}}


@router.post(
    "",
    status_code=201,
    responses={
        **BODY_REFUSALS,
        409: {"model": ErrorAnswer, "description": "the client has too many corrections"},
    },
)
def add_correction(
    body: CorrectionIn, request: Request, app: Nnplay, x_client_id: ClientHeader = None
) -> Correction:
    """Keep a misread digit with its right label. It belongs to the X-Client-Id header's
    client, else to the body's `client`, else to the caller's IP address."""
    owner = client_of(request, x_client_id or body.client)
    if sum(app.store.correction_counts(owner).values()) >= MAX_CORRECTIONS_PER_CLIENT:
        raise Conflict(f"you already keep {MAX_CORRECTIONS_PER_CLIENT} corrections: "
                       "delete some before adding more")
    pixels = np.round(np.asarray(body.pixels, np.float64) * 255).astype(np.uint8).tobytes()
    return _out(app.store.add_correction(owner, body.label, body.predicted, pixels))


@router.get("")
def list_corrections(
    app: Nnplay, client: ClientId,
    limit: Annotated[int, Query(ge=1, le=MAX_CORRECTIONS_PER_CLIENT)] = 100,
) -> list[Correction]:
    """The caller's corrections, newest first."""
    return [_out(r) for r in app.store.corrections(client, limit)]


@router.get("/count")
def count_corrections(app: Nnplay, client: ClientId) -> CorrectionCount:
    counts = app.store.correction_counts(client)
    return CorrectionCount(count=sum(counts.values()), by_label=[counts.get(d, 0) for d in range(10)])


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}},
                     "description": "an .npz: pixels uint8 N×784, labels, ids"}},
)
def export_corrections(app: Nnplay, client: ClientId) -> Response:
    """All the caller's corrections, oldest first, as the .npz file that
    `python -m engine train --corrections FILE.npz` adds to a training run."""
    saved = app.store.correction_set(client)
    return Response(
        corrections_to_bytes(saved.pixels, saved.labels, saved.ids),
        media_type="application/octet-stream",
        headers={"Content-Disposition": 'attachment; filename="nnplay-corrections.npz"'},
    )


@router.delete("/{correction_id}", responses=NOT_FOUND)
def delete_correction(
    correction_id: Annotated[int, Path(ge=1, le=MAX_ID)], app: Nnplay, client: ClientId
) -> CorrectionDeleted:
    """Delete one of the caller's own corrections."""
    if not app.store.delete_correction(client, correction_id):
        raise NotFound(f"you have no correction with id {correction_id}")
    return CorrectionDeleted(id=correction_id, count=sum(app.store.correction_counts(client).values()))


def _out(record: CorrectionRecord) -> Correction:
    pixels = np.frombuffer(record.pixels, np.uint8)
    assert pixels.size == PIXELS
    return Correction(
        id=record.id,
        created=record.created,
        label=record.label,
        predicted=record.predicted,
        pixels=(pixels / 255).round(4).tolist(),
    )
