"""The run database's tables as SQLAlchemy Core metadata: one schema for SQLite (the
single-node default, same tables and indexes as before, so existing files open as they
are) and PostgreSQL (several web nodes)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
)

metadata = MetaData()

runs = Table(
    "runs", metadata,
    Column("run_id", Text, primary_key=True),
    Column("request", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("error", Text),
    Column("test_accuracy", Float),
    Column("epochs", Integer, nullable=False, server_default="0"),
    Column("last_epoch", Text),
    Column("created", Float, nullable=False),
    Column("finished", Float),
    Index("runs_created", "created"),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("data", Text, nullable=False),
    Index("events_run", "run_id", "id"),
    sqlite_autoincrement=True,
)

models = Table(
    "models", metadata,
    Column("run_id", Text, primary_key=True),
    Column("epoch", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("saved", Float, nullable=False),
)

corrections = Table(
    "corrections", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created", Float, nullable=False),
    Column("client", Text, nullable=False),
    Column("label", Integer, nullable=False),
    Column("predicted", Integer),
    Column("pixels", LargeBinary, nullable=False),
    Index("corrections_client", "client", "id"),
    sqlite_autoincrement=True,
)

#: the numbers of an epoch event kept in `metrics` (compact curves for sweeps)
METRICS = ("train_loss", "train_accuracy", "validation_loss", "validation_accuracy")

metrics = Table(
    "metrics", metadata,
    Column("run_id", Text, nullable=False),
    Column("epoch", Integer, nullable=False),
    *(Column(name, Float) for name in METRICS),
    PrimaryKeyConstraint("run_id", "epoch"),
)

sweeps = Table(
    "sweeps", metadata,
    Column("sweep_id", Text, primary_key=True),
    Column("client", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("base", Text, nullable=False),
    Column("grid", Text, nullable=False),
    Column("created", Float, nullable=False),
    Index("sweeps_client", "client", "created"),
)

sweep_runs = Table(
    "sweep_runs", metadata,
    Column("sweep_id", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("run_id", Text, nullable=False, unique=True),
    Column("point", Text, nullable=False),
    PrimaryKeyConstraint("sweep_id", "position"),
)

# -- the classroom: LTI launches and lesson results (server/lti/store.py, server/lessons/results.py) --

lti_states = Table(
    "lti_states", metadata,  # OIDC login state -> nonce, consumed once by the launch
    Column("state", Text, primary_key=True),
    Column("nonce", Text, nullable=False),
    Column("issuer", Text, nullable=False),
    Column("client_id", Text, nullable=False),
    Column("target_link_uri", Text),
    Column("expires", Float, nullable=False),
    Column("used", Integer, nullable=False, server_default="0"),
)

lti_nonces = Table(
    "lti_nonces", metadata,  # nonces of accepted id_tokens until they expire: replays are refused
    Column("nonce", Text, primary_key=True),
    Column("issuer", Text, nullable=False),
    Column("expires", Float, nullable=False),
)

lti_launches = Table(
    "lti_launches", metadata,
    Column("launch_id", Text, primary_key=True),
    Column("issuer", Text, nullable=False),
    Column("client_id", Text, nullable=False),
    Column("deployment_id", Text, nullable=False),
    Column("sub", Text, nullable=False),
    Column("message_type", Text, nullable=False),
    Column("data", Text, nullable=False),
    Column("created", Float, nullable=False),
)

lti_jwks = Table(
    "lti_jwks", metadata,  # platform key sets and when they were fetched
    Column("url", Text, primary_key=True),
    Column("jwks", Text, nullable=False),
    Column("fetched", Float, nullable=False),
)

lti_tool_key = Table(
    "lti_tool_key", metadata,  # the tool's RSA private key (PEM), one row, shared by every web node
    Column("id", Integer, primary_key=True),
    Column("pem", Text, nullable=False),
    Column("created", Float, nullable=False),
)

lti_scores = Table(
    "lti_scores", metadata,  # the last score posted per (line item, user): only improvements go again
    Column("lineitem", Text, nullable=False),
    Column("user_id", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("posted", Float, nullable=False),
    PrimaryKeyConstraint("lineitem", "user_id"),
)

lesson_runs = Table(
    "lesson_runs", metadata,
    Column("run_id", Text, primary_key=True),
    Column("lesson", Text, nullable=False),
    Column("client", Text, nullable=False),
    Column("launch_id", Text),
    Column("issuer", Text),
    Column("context_id", Text),
    Column("sub", Text),
    Column("name", Text),
    Column("goal", Text, nullable=False),
    Column("created", Float, nullable=False),
    Column("evaluated", Float),
    Column("status", Text),
    Column("met", Integer),
    Column("value", Float),
    Column("score", Float),
    Column("parameters", Integer),
    Column("reason", Text),
    Column("passback", Text),
    Index("lesson_runs_lesson", "lesson", "created"),
)
