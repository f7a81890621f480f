"""Lessons: the format and loader (`model`), goal checks (`goals`), results (`results`, `service`).

See docs/LESSONS.md.
"""

from server.lessons.model import Goal, Lesson, LessonError, load_lessons, negotiate
from server.lessons.service import LessonService

__all__ = ["Goal", "Lesson", "LessonError", "LessonService", "load_lessons", "negotiate"]
