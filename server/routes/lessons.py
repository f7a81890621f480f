"""Lessons: list and read them, start a lesson run (locked fields enforced), see goal results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request

from engine.spec import TrainRequest
from server.errors import ApiError, NotFound, Unprocessable
from server.lessons import Lesson, LessonService, negotiate
from server.lessons.model import locked_changes
from server.lti.errors import LtiError
from server.lti.tokens import bearer_token
from server.routes import runs
from server.routes.runs import ClientId
from server.schemas import BODY_REFUSALS, ErrorAnswer, RunCreated
from server.state import Nnplay

router = APIRouter(prefix="/api/lessons", tags=["lessons"])

#: optional (a plain Authorization header, not a required security scheme): `Bearer <launch token>`
Bearer = Annotated[str | None, Header(description="Bearer <LTI launch token>, optional")]
UNKNOWN = {404: {"model": ErrorAnswer, "description": "no lesson has this id"}}
BAD_TOKEN = {401: {"model": ErrorAnswer, "description": "the launch token is invalid or expired"}}


class Unauthorized(ApiError):
    status_code = 401


def lessons_of(request: Request) -> LessonService:
    return request.app.state.lessons


Lessons = Annotated[LessonService, Depends(lessons_of)]


def launch_of(request: Request, authorization: str | None) -> tuple[str | None, dict[str, Any] | None]:
    """(launch id, launch context) for a bearer launch token; (None, None) without one."""
    if not authorization:
        return None, None
    token = bearer_token(authorization)
    if token is None:
        raise Unauthorized("send the launch token as Authorization: Bearer <token>")
    try:
        return request.app.state.lti.session(token)
    except LtiError as err:
        raise Unauthorized(f"the launch token is not valid ({err.reason}: {err.message}); "
                           "open the lesson from the course again") from None


def lesson_named(service: LessonService, lesson_id: str) -> Lesson:
    lesson = service.lessons.get(lesson_id)
    if lesson is None:
        raise NotFound(f"there is no lesson with id {lesson_id!r}")
    return lesson


LangQuery = Annotated[str | None, Query(description="en, zh-Hant or zh-Hans (or a language tag)")]
#: read leniently: an odd or overlong header falls back to English rather than failing
AcceptLanguage = Annotated[str | None, Header()]


@router.get("", responses=BAD_TOKEN)
def list_lessons(request: Request, service: Lessons, authorization: Bearer = None, lang: LangQuery = None,
                 accept_language: AcceptLanguage = None) -> list[dict[str, Any]]:
    """The lessons in the language of `lang`, else the launch's, else Accept-Language, else English."""
    _, launch = launch_of(request, authorization)
    chosen = negotiate(lang and lang[:35], accept_language and accept_language[:1000],
                       (launch or {}).get("language"))
    return [{**lesson.summary(chosen), "language": chosen} for lesson in service.lessons.values()]


@router.get("/{lesson_id}", responses={**UNKNOWN, **BAD_TOKEN})
def get_lesson(lesson_id: str, request: Request, service: Lessons, authorization: Bearer = None,
               lang: LangQuery = None, accept_language: AcceptLanguage = None) -> dict[str, Any]:
    """The whole lesson: its request, locked paths, hidden controls and goal (the launch's, if tuned)."""
    lesson = lesson_named(service, lesson_id)
    _, launch = launch_of(request, authorization)
    chosen = negotiate(lang and lang[:35], accept_language and accept_language[:1000],
                       (launch or {}).get("language"))
    return {**lesson.full(chosen), "goal": service.goal_for(lesson, launch).model_dump(exclude_none=True)}


@router.post("/{lesson_id}/runs", status_code=201,
             responses={**BODY_REFUSALS, **UNKNOWN, **BAD_TOKEN,
                        503: {"model": ErrorAnswer, "description": "too many runs are waiting"}})
async def start_lesson_run(lesson_id: str, body: TrainRequest, request: Request, app: Nnplay,
                           service: Lessons, client: ClientId, authorization: Bearer = None) -> RunCreated:
    """Start a run of the lesson, like POST /api/runs; 422 naming the field when a locked one differs
    from the lesson's request. With a launch token the run counts for that learner (grade passback)."""
    lesson = lesson_named(service, lesson_id)
    launch_id, launch = launch_of(request, authorization)
    changed = locked_changes(lesson, body.model_dump(mode="json"))
    if changed:
        raise Unprocessable([
            {"loc": ["body", *(int(p) if p.isdigit() else p for p in path.split("."))] if path else ["body"],
             "msg": f"{path or 'the request'} is locked in lesson {lesson.id}: keep the lesson's value",
             "type": "locked"}
            for path in changed])
    created = await runs.start_run(body, app, client)
    service.record(created.run_id, lesson, client, launch_id, launch)
    return created


@router.get("/{lesson_id}/results", responses={**UNKNOWN, **BAD_TOKEN})
def lesson_results(lesson_id: str, request: Request, service: Lessons, client: ClientId,
                   authorization: Bearer = None) -> dict[str, Any]:
    """The caller's runs of the lesson and their goal results (a launch's learner: theirs in this
    course; without a launch: this browser's). An instructor's launch also gets `class`: per
    learner of the course, runs, whether the goal was reached, best value and best score."""
    lesson = lesson_named(service, lesson_id)
    _, launch = launch_of(request, authorization)
    results = service.results
    if launch is None:
        rows = results.for_client(lesson.id, client)
        role, summary = None, None
    else:
        context_id = (launch.get("context") or {}).get("id")
        rows = results.for_learner(lesson.id, launch["issuer"], context_id, launch["sub"])
        role = launch.get("role")
        summary = None
        if role == "instructor":
            summary = service.class_summary(results.for_class(lesson.id, launch["issuer"], context_id))
    return {"lesson": lesson.id, "goal": service.goal_for(lesson, launch).model_dump(exclude_none=True),
            "role": role, "runs": [service.view(r) for r in rows], "class": summary}
