"""`LessonService`: the loaded lessons, which runs belong to a lesson, goal checks and grade passback."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

from server.lessons.goals import Outcome, evaluate
from server.lessons.model import BUILTIN_DIR, Goal, Lesson, load_lessons
from server.lessons.results import LessonResults
from server.store import Store

log = logging.getLogger(__name__)


class LessonService:
    def __init__(self, lessons: dict[str, Lesson], problems: list[dict[str, str]], results: LessonResults,
                 store: Store, lti: Any = None) -> None:
        self.lessons = lessons
        self.problems = problems
        self.results = results
        self.store = store
        #: the LtiService (grade passback); None: no passback
        self.lti = lti
        #: passback threads started (tests join them)
        self.passbacks: list[threading.Thread] = []

    @classmethod
    def open(cls, lessons_dir: Path | None, store: Store, lti: Any = None,
             limits: Any = None) -> LessonService:
        lessons, problems = load_lessons([BUILTIN_DIR, lessons_dir], limits)
        log.info("%d lessons loaded (%d files skipped)", len(lessons), len(problems))
        return cls(lessons, problems, LessonResults(store.engine), store, lti)

    def goal_for(self, lesson: Lesson, launch: dict[str, Any] | None) -> Goal:
        """The lesson's goal, or the one the instructor tuned at deep linking for this launch."""
        if launch and launch.get("lesson") == lesson.id and isinstance(launch.get("goal"), dict):
            try:
                return Goal.model_validate(launch["goal"])
            except ValueError:
                log.warning("launch goal %r for lesson %s is not a valid goal: the lesson's is used",
                            launch["goal"], lesson.id)
        return lesson.goal

    # -- runs ----------------------------------------------------------------------------------------

    def record(self, run_id: str, lesson: Lesson, client: str, launch_id: str | None,
               launch: dict[str, Any] | None) -> None:
        goal = self.goal_for(lesson, launch)
        self.results.add(run_id, lesson.id, client, goal.model_dump(exclude_none=True), launch_id, launch)
        record = self.store.run(run_id)
        if record is not None and record.status not in ("queued", "running"):
            self.run_done(run_id)  # it finished before it was recorded

    def run_done(self, run_id: str) -> None:
        """The run-completion hook (called on the event reader thread once the done event is stored)."""
        try:
            row = self.results.claim(run_id)
            if row is None:
                return  # not a lesson run, or evaluated already
            outcome = self._evaluate(run_id, row)
            log.info("lesson %s run %s: goal %s (%s)", row["lesson"], run_id,
                     "met" if outcome.met else "not met", outcome.reason)
            if outcome.met and row["launch_id"]:
                self._pass_back(run_id, row["launch_id"], outcome.score, row["lesson"])
        except Exception:
            log.exception("checking the lesson goal of run %s failed", run_id)

    def _evaluate(self, run_id: str, row: dict[str, Any]) -> Outcome:
        done = next((json.loads(e.text) for e in reversed(self.store.events(run_id)) if e.is_done), {})
        record = self.store.run(run_id)
        request = record.request if record else {}
        outcome = evaluate(Goal.model_validate(row["goal"]), done, self.store.history(run_id), request)
        self.results.set_result(run_id, str(done.get("status")), outcome.met, outcome.value, outcome.score,
                                outcome.parameters, outcome.reason)
        return outcome

    def _pass_back(self, run_id: str, launch_id: str, score: float, lesson: str) -> None:
        lti = self.lti
        if lti is None:
            return

        def post() -> None:
            try:
                result = lti.post_score_sync(launch_id, score, f"nnplay lesson {lesson}, run {run_id}")
                outcome = str(getattr(result, "value", result))
            except Exception as exc:  # a platform refusal or network failure must not break anything
                log.warning("grade passback for run %s (launch %s) failed: %s", run_id, launch_id, exc)
                outcome = f"failed: {exc}"[:500]
            try:
                self.results.set_passback(run_id, outcome)
            except Exception:
                log.exception("recording the grade passback of run %s failed", run_id)

        thread = threading.Thread(target=post, name=f"passback-{run_id}", daemon=True)
        self.passbacks.append(thread)
        thread.start()

    # -- results -------------------------------------------------------------------------------------

    def view(self, row: dict[str, Any]) -> dict[str, Any]:
        status = row["status"]
        if status is None:
            record = self.store.run(row["run_id"])
            status = record.status if record else "unknown"
        return {"run_id": row["run_id"], "status": status, "evaluated": row["evaluated"] is not None
                and row["met"] is not None, "met": row["met"], "value": row["value"], "score": row["score"],
                "parameters": row["parameters"], "reason": row["reason"], "goal": row["goal"],
                "created": row["created"], "name": row["name"], "passback": row["passback"]}

    @staticmethod
    def may_watch(run: dict[str, Any], launch: dict[str, Any]) -> bool:
        """Whether a launch may follow a lesson run started under a launch: only from the same
        platform and course, and only the learner's own runs unless the launch is an instructor's."""
        same_course = (launch.get("issuer") == run["issuer"]
                       and (launch.get("context") or {}).get("id") == run["context_id"])
        return same_course and (launch.get("role") == "instructor" or launch.get("sub") == run["sub"])

    @staticmethod
    def class_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Per learner: runs, whether any met the goal, the best goal value and best score."""
        learners: dict[str, dict[str, Any]] = {}
        for row in rows:
            who = learners.setdefault(row["sub"] or row["client"], {
                "sub": row["sub"], "name": row["name"], "runs": 0, "met": False, "best_value": None,
                "best_score": None})
            who["runs"] += 1
            who["met"] = who["met"] or bool(row["met"])
            if row["value"] is not None:
                lower_better = row["goal"].get("metric") == "test_loss"
                best = who["best_value"]
                if best is None or (row["value"] < best if lower_better else row["value"] > best):
                    who["best_value"] = row["value"]
            if row["score"] is not None and (who["best_score"] is None or row["score"] > who["best_score"]):
                who["best_score"] = row["score"]
        return sorted(learners.values(),
                      key=lambda w: (not w["met"], -(w["best_score"] or 0), w["name"] or ""))
