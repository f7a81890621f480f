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
