"""The lesson format (docs/LESSONS.md): pydantic models, the loader, locked-path checks, languages.

A lesson is one JSON or TOML file (by its suffix). Its training request is given either whole
(`request`) or as one of the course presets of server/presets.py (`preset`) with dotted-path
`changes` on top; either way it is validated with `engine.spec.parse_request` when the lesson is
loaded, and a file that fails is reported (path and reason) and skipped.
"""

from __future__ import annotations

import copy
import json
import logging
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.spec import Limits, RequestError, parse_request
from server.presets import PRESETS

log = logging.getLogger(__name__)

LANGUAGES = ("en", "zh-Hant", "zh-Hans")
BUILTIN_DIR = Path(__file__).resolve().parents[2] / "lessons"
#: request paths the server fills itself: never compared with the lesson's request
SERVER_FILLED = ("corrections.ids",)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Texts(_Strict):
    """A text in the three languages of the UI."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    en: str = Field(min_length=1)
    zh_Hant: str = Field(alias="zh-Hant", min_length=1)
    zh_Hans: str = Field(alias="zh-Hans", min_length=1)

    def get(self, lang: str) -> str:
        return {"en": self.en, "zh-Hant": self.zh_Hant, "zh-Hans": self.zh_Hans}.get(lang, self.en)


class Goal(_Strict):
    """What a run must reach, measured by the server: accuracies `at_least`, the test loss `at_most`."""

    metric: Literal["test_accuracy", "validation_accuracy", "test_loss"]
    at_least: float | None = Field(default=None, ge=0.0, le=1.0)
    at_most: float | None = Field(default=None, ge=0.0)
    max_parameters: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _bound(self) -> Goal:
        if self.metric == "test_loss":
            if self.at_most is None or self.at_least is not None:
                raise ValueError("the test_loss goal needs at_most (and no at_least)")
        elif self.at_least is None or self.at_most is not None:
            raise ValueError(f"the {self.metric} goal needs at_least (and no at_most)")
        return self


class LessonFile(_Strict):
    """One lesson file as written by a teacher."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    title: Texts
    explanation: Texts
    order: int = Field(default=100, description="position in the list (then id)")
    request: dict[str, Any] | None = None
    preset: str | None = Field(default=None, description="an id of server/presets.py instead of request")
    changes: dict[str, Any] = Field(default_factory=dict, description="dotted path → value, on top")
    locked: list[str] | Literal["*"] = Field(default_factory=list)
    hidden_controls: list[str] = Field(default_factory=list)
    goal: Goal

    @model_validator(mode="after")
    def _one_source(self) -> LessonFile:
        if (self.request is None) == (self.preset is None):
            raise ValueError("give exactly one of request and preset")
        return self


class Lesson(BaseModel):
    """A loaded lesson: its request complete and validated, its locked paths checked."""

    id: str
    title: Texts
    explanation: Texts
    order: int
    request: dict[str, Any]
    locked: list[str] | Literal["*"]
    hidden_controls: list[str]
    goal: Goal
    source: str

    def summary(self, lang: str) -> dict[str, Any]:
        return {"id": self.id, "title": self.title.get(lang), "explanation": self.explanation.get(lang),
                "goal": self.goal.model_dump(exclude_none=True)}

    def full(self, lang: str) -> dict[str, Any]:
        return {**self.summary(lang), "language": lang, "request": self.request, "locked": self.locked,
                "hidden_controls": self.hidden_controls,
                "titles": self.title.model_dump(by_alias=True),
                "explanations": self.explanation.model_dump(by_alias=True)}


class LessonError(ValueError):
    pass


# -- dotted paths -------------------------------------------------------------------------------


def _key(part: str) -> str | int:
    return int(part) if part.isdigit() else part


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted path (list items by index); KeyError if there is none."""
    for part in path.split("."):
        key = _key(part)
        in_dict = isinstance(data, dict) and isinstance(key, str) and key in data
        in_list = isinstance(data, list) and isinstance(key, int) and key < len(data)
        if in_dict or in_list:
            data = data[key]
        else:
            raise KeyError(path)
    return data


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = [_key(p) for p in path.split(".")]
    target: Any = data
    for key in parts[:-1]:
        target = target.setdefault(key, {}) if isinstance(target, dict) else target[key]
    target[parts[-1]] = value


def differences(a: Any, b: Any, prefix: str = "") -> list[str]:
    """Dotted paths where a and b differ (a list of another length differs as a whole)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b), key=str):
            out += differences(a.get(key), b.get(key), f"{prefix}{key}.")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += differences(x, y, f"{prefix}{i}.")
        return out
    return [] if a == b else [prefix.rstrip(".")]


def locked_changes(lesson: Lesson, request: dict[str, Any]) -> list[str]:
    """The locked paths the request changes (for "*": every changed path), in order."""
    changed = [d for d in differences(lesson.request, request)
               if not any(d == s or d.startswith(s + ".") for s in SERVER_FILLED)]
    if lesson.locked == "*":
        return changed
    hits = []
    for path in lesson.locked:
        if any(d == path or d.startswith(path + ".") or path.startswith(d + ".") for d in changed):
            hits.append(path)
    return hits


# -- loading ------------------------------------------------------------------------------------


def build(data: Any, source: str, limits: Limits | None = None) -> Lesson:
    """A lesson from a file's parsed content; LessonError saying what is wrong."""
    try:
        spec = LessonFile.model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}"
                            for e in exc.errors(include_url=False))
        raise LessonError(reasons) from None
    if spec.preset is not None:
        preset = next((p for p in PRESETS if p["id"] == spec.preset), None)
        if preset is None:
            raise LessonError(f"preset: there is no preset {spec.preset!r} in server/presets.py")
        raw = copy.deepcopy(preset["request"])
    else:
        raw = copy.deepcopy(spec.request or {})
    for path, value in spec.changes.items():
        try:
            set_path(raw, path, value)
        except (KeyError, IndexError, TypeError):
            raise LessonError(f"changes: the request has no place {path!r}") from None
    try:
        request = parse_request(raw, limits).model_dump(mode="json")
    except RequestError as exc:
        raise LessonError(f"request: {exc}") from None
    if spec.locked != "*":
        for path in spec.locked:
            try:
                get_path(request, path)
            except KeyError:
                raise LessonError(f"locked: the request has no field {path!r}") from None
    return Lesson(id=spec.id, title=spec.title, explanation=spec.explanation, order=spec.order,
                  request=request, locked=spec.locked, hidden_controls=spec.hidden_controls,
                  goal=spec.goal, source=source)


#: lesson file suffixes and their parsers: TOML for teachers who write by hand, JSON for tools
PARSERS = {".json": ("JSON", json.loads), ".toml": ("TOML", tomllib.loads)}


def load_file(path: Path, limits: Limits | None = None) -> Lesson:
    kind, parse = PARSERS[path.suffix.lower()]
    try:
        data = parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError(f"cannot read the file: {exc}") from None
    except ValueError as exc:  # json.JSONDecodeError and tomllib.TOMLDecodeError both are
        raise LessonError(f"not valid {kind}: {exc}") from None
    return build(data, str(path), limits)


def load_lessons(folders: Iterable[Path | None], limits: Limits | None = None
                 ) -> tuple[dict[str, Lesson], list[dict[str, str]]]:
    """Lessons by id from the folders in order (a later folder's lesson replaces an earlier one
    with the same id), and the files skipped with their reason (each one logged)."""
    lessons: dict[str, Lesson] = {}
    problems: list[dict[str, str]] = []
    for folder in folders:
        if folder is None:
            continue
        if not folder.is_dir():
            log.warning("lessons folder %s does not exist: no lessons from it", folder)
            problems.append({"path": str(folder), "reason": "the folder does not exist"})
            continue
        for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in PARSERS and p.is_file()):
            try:
                lesson = load_file(path, limits)
            except LessonError as exc:
                log.warning("lesson file %s skipped: %s", path, exc)
                problems.append({"path": str(path), "reason": str(exc)})
                continue
            if lesson.id in lessons:
                log.info("lesson %s from %s replaces the one from %s", lesson.id, path,
                         lessons[lesson.id].source)
            lessons[lesson.id] = lesson
    ordered = dict(sorted(lessons.items(), key=lambda kv: (kv[1].order, kv[0])))
    return ordered, problems


# -- languages ----------------------------------------------------------------------------------


def language_of_tag(tag: str) -> str | None:
    """en / zh-Hant / zh-Hans for a language tag (zh-TW, zh-HK, zh-MO, zh-Hant → zh-Hant;
    zh, zh-CN, zh-SG, zh-Hans → zh-Hans; en-* → en); None for any other language."""
    t = tag.strip().replace("_", "-").lower()
    if t in ("en", "zh-hant", "zh-hans"):
        return {"en": "en", "zh-hant": "zh-Hant", "zh-hans": "zh-Hans"}[t]
    if t == "zh" or t.startswith("zh-"):
        parts = t.split("-")[1:]
        return "zh-Hant" if any(p in ("hant", "tw", "hk", "mo") for p in parts) else "zh-Hans"
    if t == "en" or t.startswith("en-"):
        return "en"
    return None


def negotiate(lang: str | None, accept_language: str | None, launch_language: str | None = None) -> str:
    """`lang` if it names one of ours, else the launch's language, else the best of
    Accept-Language (by q), else en."""
    for choice in (lang, launch_language):
        found = language_of_tag(choice) if choice else None
        if found:
            return found
    ranked: list[tuple[float, int, str]] = []
    for i, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        found = language_of_tag(tag) if tag and tag != "*" else None
        if found and q > 0:
            ranked.append((-q, i, found))
    return min(ranked)[2] if ranked else "en"
