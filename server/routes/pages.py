"""The HTML pages and the Plotly bundle they load (served from the installed package: no CDN)."""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import TemplateNotFound

from server.errors import Unavailable
from server.state import AppState, Nnplay

router = APIRouter(tags=["pages"])

PAGE = "playground.html"


@cache
def plotly_bundle() -> Path:
    """plotly.min.js inside the installed plotly package, found without importing plotly."""
    spec = find_spec("plotly")
    assert spec is not None and spec.submodule_search_locations
    return Path(spec.submodule_search_locations[0]) / "package_data" / "plotly.min.js"


@router.get("/", response_class=HTMLResponse)
async def playground(request: Request, app: Nnplay) -> HTMLResponse:
    return _page(request, app, "playground")


@router.get("/draw", response_class=HTMLResponse)
async def draw(request: Request, app: Nnplay) -> HTMLResponse:
    return _page(request, app, "draw")


@router.get("/learn", response_class=HTMLResponse)
async def learn(request: Request, app: Nnplay) -> HTMLResponse:
    """The optimizer race and the activation gallery."""
    return _page(request, app, "learn")


@router.get("/static/vendor/plotly.min.js", include_in_schema=False)
async def plotly_js() -> FileResponse:
    return FileResponse(plotly_bundle(), media_type="text/javascript")


def _page(request: Request, app: AppState, view: str) -> HTMLResponse:
    """The page for one view; `?embed=1` asks for the compact layout from the first paint
    (the script also switches to it inside any frame)."""
    embed = request.query_params.get("embed") == "1"
    try:
        return app.templates.TemplateResponse(request, PAGE, {"view": view, "embed": embed})
    except TemplateNotFound:
        raise Unavailable(f"the page template {PAGE} is missing from this installation") from None
