"""SQLite tables of the LTI tool, in the server's database file (own connection, WAL mode).

lti_states   login state → nonce, issued at OIDC login, consumed once by the launch
lti_nonces   nonces of accepted id_tokens, kept until they expire: a replay is refused
lti_launches one row per accepted launch (its context as JSON), looked up by launch id
lti_jwks     platform key sets with the time they were fetched (the cache's TTL is the caller's)
lti_scores   the last score posted per (line item, user): only an improvement is posted again
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lti_states (
    state TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    target_link_uri TEXT,
    expires REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS lti_nonces (
    nonce TEXT PRIMARY KEY,
    issuer TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS lti_launches (
    launch_id TEXT PRIMARY KEY,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    sub TEXT NOT NULL,
    message_type TEXT NOT NULL,
    data TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS lti_jwks (
    url TEXT PRIMARY KEY,
    jwks TEXT NOT NULL,
    fetched REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS lti_scores (
    lineitem TEXT NOT NULL,
    user_id TEXT NOT NULL,
    score REAL NOT NULL,
    posted REAL NOT NULL,
    PRIMARY KEY (lineitem, user_id)
);
"""


@dataclass(frozen=True)
class StateRow:
    state: str
    nonce: str
    issuer: str
    client_id: str
    target_link_uri: str | None
    expires: float
    used: bool


class LtiStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- login state and nonces ---------------------------------------------------

    def add_state(self, state: str, nonce: str, issuer: str, client_id: str,
                  target_link_uri: str | None, ttl: float) -> None:
        now = time.time()
        with self._lock:
            # forget states and nonces long expired, so the tables stay small
            self._db.execute("DELETE FROM lti_states WHERE expires < ?", (now - 3600,))
            self._db.execute("DELETE FROM lti_nonces WHERE expires < ?", (now,))
            self._db.execute(
                "INSERT INTO lti_states (state, nonce, issuer, client_id, target_link_uri, expires)"
                " VALUES (?, ?, ?, ?, ?, ?)", (state, nonce, issuer, client_id, target_link_uri, now + ttl))

    def state(self, state: str) -> StateRow | None:
        with self._lock:
            row = self._db.execute(
                "SELECT state, nonce, issuer, client_id, target_link_uri, expires, used"
                " FROM lti_states WHERE state = ?", (state,)).fetchone()
        return None if row is None else StateRow(*row[:6], used=bool(row[6]))

    def consume(self, state: str, nonce: str, issuer: str, nonce_expires: float) -> str | None:
        """Use the state and the nonce, both once; None on success, else which one was used before."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cur = self._db.execute("UPDATE lti_states SET used = 1 WHERE state = ? AND used = 0",
                                       (state,))
                if cur.rowcount != 1:
                    self._db.execute("ROLLBACK")
                    return "state"
                try:
                    self._db.execute("INSERT INTO lti_nonces (nonce, issuer, expires) VALUES (?, ?, ?)",
                                     (nonce, issuer, nonce_expires))
                except sqlite3.IntegrityError:
                    self._db.execute("ROLLBACK")
                    return "nonce"
                self._db.execute("COMMIT")
                return None
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def nonce_used(self, nonce: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM lti_nonces WHERE nonce = ?", (nonce,)).fetchone()
        return row is not None

    # -- launches ---------------------------------------------------------------------

    def add_launch(self, launch_id: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO lti_launches (launch_id, issuer, client_id, deployment_id, sub, message_type,"
                " data, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (launch_id, data["issuer"], data["client_id"], data["deployment_id"], data["sub"],
                 data["message_type"], json.dumps(data), time.time()))

    def launch(self, launch_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM lti_launches WHERE launch_id = ?",
                                   (launch_id,)).fetchone()
        return None if row is None else json.loads(row[0])

    # -- platform key sets ------------------------------------------------------------------

    def jwks(self, url: str) -> tuple[dict[str, Any], float] | None:
        with self._lock:
            row = self._db.execute("SELECT jwks, fetched FROM lti_jwks WHERE url = ?", (url,)).fetchone()
        return None if row is None else (json.loads(row[0]), row[1])

    def put_jwks(self, url: str, jwks: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO lti_jwks (url, jwks, fetched) VALUES (?, ?, ?)",
                             (url, json.dumps(jwks), time.time()))

    # -- scores -------------------------------------------------------------------------------

    def last_score(self, lineitem: str, user_id: str) -> float | None:
        with self._lock:
            row = self._db.execute("SELECT score FROM lti_scores WHERE lineitem = ? AND user_id = ?",
                                   (lineitem, user_id)).fetchone()
        return None if row is None else float(row[0])

    def set_score(self, lineitem: str, user_id: str, score: float) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO lti_scores (lineitem, user_id, score, posted)"
                             " VALUES (?, ?, ?, ?)", (lineitem, user_id, score, time.time()))
