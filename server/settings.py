"""Server configuration: paths and limits, from the environment and the command line.

Every limit can be set by an environment variable named after it, e.g.
NNPLAY_MAX_EPOCHS=50 or NNPLAY_MAX_RUNS_PER_CLIENT=2; paths come from
NNPLAY_DB, NNPLAY_DATA_DIR and NNPLAY_DIGIT_MODEL (the built-in model file); scaling out from
NNPLAY_REDIS_URL (runs queued in Redis, trained by `python -m server.worker` processes) and
NNPLAY_DB_URL (an SQLAlchemy URL, e.g. postgresql+psycopg://..., instead of the SQLite file); LTI from
NNPLAY_LTI_REGISTRATIONS, NNPLAY_LTI_KEY and NNPLAY_PUBLIC_URL (docs/LTI.md); a teacher's
lessons folder from NNPLAY_LESSONS_DIR (docs/LESSONS.md).
Command-line options override the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from engine.data.paths import user_data_home
from engine.spec import Limits

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
ENV_PREFIX = "NNPLAY_"


class ServerLimits(BaseModel):
    """What one client may ask of the server, sized for a 2-core classroom machine."""

    max_runs_per_client: int = Field(
        default=3, ge=1, description="runs queued or running at once; a sweep counts as one"
    )
    max_sweep_runs: int = Field(default=16, ge=1, description="runs in one sweep (its grid's product)")
    max_queued_runs: int = Field(default=200, ge=1, description="runs waiting, all clients together")
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024, description="request body size")
    max_image_pixels: int = Field(default=4096 * 4096, ge=1, description="width × height of an image")
    max_pause_seconds: int = Field(
        default=600, ge=1, description="a run paused longer is stopped, so it frees its worker"
    )


def default_db_path() -> Path:
    return user_data_home() / "nnplay" / "nnplay.sqlite"


class Settings(BaseModel):
    db_path: Path = Field(default_factory=default_db_path)
    data_dir: Path | None = Field(default=None, description="None: the engine's default")
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=0,
        description="training processes; 0 trains nothing (runs stay queued), for API-only tests",
    )
    limits: Limits = Field(default_factory=Limits)
    server_limits: ServerLimits = Field(default_factory=ServerLimits)
    client_buffer: int = Field(default=4096, ge=16, description="events queued per WebSocket")
    templates_dir: Path = REPO_DIR / "templates"
    static_dir: Path = REPO_DIR / "static"
    digit_model_path: Path = PACKAGE_DIR / "assets" / "digit_model.npz"
    # LTI 1.3 (docs/LTI.md): platform registrations, the tool's RSA key, the public base URL
    lti_registrations: Path | None = Field(default=None, description="JSON or TOML; None: no platform")
    lti_key_path: Path | None = Field(
        default=None, description="PEM private key file; None: the key is kept in the database"
    )
    public_url: str | None = Field(
        default=None, description="e.g. https://nnplay.school.edu; None: from each request"
    )

    lessons_dir: Path | None = Field(
        default=None, description="a teacher's lesson files (docs/LESSONS.md); they override built-ins by id"
    )
    redis_url: str | None = Field(
        default=None, description="redis://host:port/db: queue runs in Redis for `python -m server.worker`"
    )
    lease_seconds: float = Field(
        default=10.0, ge=1.0, description="redis mode: a worker silent this long has lost its run"
    )
    db_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the run database (PostgreSQL for several web nodes); "
        "None: the SQLite file db_path"
    )

    @property
    def database(self) -> Path | str:
        """What `Store` opens: the SQLAlchemy URL when one is set, else the SQLite file."""
        return self.db_url or self.db_path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from NNPLAY_* variables; keyword overrides (e.g. from the CLI) win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {
            "limits": _read_limits(Limits, env),
            "server_limits": _read_limits(ServerLimits, env),
        }
        if env.get("NNPLAY_DB"):
            values["db_path"] = Path(env["NNPLAY_DB"]).expanduser()
        if env.get("NNPLAY_DATA_DIR"):
            values["data_dir"] = Path(env["NNPLAY_DATA_DIR"]).expanduser()
        if env.get("NNPLAY_DIGIT_MODEL"):
            values["digit_model_path"] = Path(env["NNPLAY_DIGIT_MODEL"]).expanduser()
        if env.get("NNPLAY_LTI_REGISTRATIONS"):
            values["lti_registrations"] = Path(env["NNPLAY_LTI_REGISTRATIONS"]).expanduser()
        if env.get("NNPLAY_LTI_KEY"):
            values["lti_key_path"] = Path(env["NNPLAY_LTI_KEY"]).expanduser()
        if env.get("NNPLAY_PUBLIC_URL"):
            values["public_url"] = env["NNPLAY_PUBLIC_URL"]
        for name in ("redis_url", "db_url", "lease_seconds"):
            if env.get(ENV_PREFIX + name.upper()):
                values[name] = env[ENV_PREFIX + name.upper()]
        if env.get("NNPLAY_LESSONS_DIR"):
            values["lessons_dir"] = Path(env["NNPLAY_LESSONS_DIR"]).expanduser()
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _read_limits(model: type[BaseModel], env: Mapping[str, str]) -> dict[str, str]:
    names = ((name, ENV_PREFIX + name.upper()) for name in model.model_fields)
    return {name: env[var] for name, var in names if var in env}
