"""The LTI tool's tables (server/schema_db.py), in the server's database: SQLite on one
node, PostgreSQL shared by several web nodes, so a launch made on one node is known to all.

lti_states   login state → nonce, issued at OIDC login, consumed once by the launch
lti_nonces   nonces of accepted id_tokens, kept until they expire: a replay is refused
lti_launches one row per accepted launch (its context as JSON), looked up by launch id
lti_jwks     platform key sets with the time they were fetched (the cache's TTL is the caller's)
lti_scores   the last score posted per (line item, user): only an improvement is posted again
lti_tool_key the tool's private key (PEM), unless NNPLAY_LTI_KEY names a file
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from server import schema_db as db
from server.store import upsert


class _AlreadyUsed(Exception):
    """Rolls back `consume`: its argument says what had been used before."""


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
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- the tool's key --------------------------------------------------------------

    def tool_key_pem(self) -> bytes | None:
        with self._engine.connect() as c:
            pem = c.execute(select(db.lti_tool_key.c.pem).where(db.lti_tool_key.c.id == 1)).scalar()
        return pem.encode("ascii") if pem is not None else None

    def offer_tool_key_pem(self, pem: bytes) -> bytes:
        """Store `pem` as the tool key unless a key is stored already; return the stored one
        (nodes starting together all end up with the first node's key)."""
        try:
            with self._engine.begin() as c:
                c.execute(insert(db.lti_tool_key).values(id=1, pem=pem.decode("ascii"), created=time.time()))
        except IntegrityError:
            pass  # another node stored its key first
        stored = self.tool_key_pem()
        assert stored is not None
        return stored

    # -- login state and nonces ---------------------------------------------------

    def add_state(self, state: str, nonce: str, issuer: str, client_id: str,
                  target_link_uri: str | None, ttl: float) -> None:
        now = time.time()
        with self._engine.begin() as c:
            # forget states and nonces long expired, so the tables stay small
            c.execute(delete(db.lti_states).where(db.lti_states.c.expires < now - 3600))
            c.execute(delete(db.lti_nonces).where(db.lti_nonces.c.expires < now))
            c.execute(insert(db.lti_states).values(state=state, nonce=nonce, issuer=issuer,
                                                   client_id=client_id, target_link_uri=target_link_uri,
                                                   expires=now + ttl))

    def state(self, state: str) -> StateRow | None:
        t = db.lti_states.c
        with self._engine.connect() as c:
            row = c.execute(select(t.state, t.nonce, t.issuer, t.client_id, t.target_link_uri, t.expires,
                                   t.used).where(t.state == state)).first()
        return None if row is None else StateRow(*row[:6], used=bool(row[6]))

    def consume(self, state: str, nonce: str, issuer: str, nonce_expires: float) -> str | None:
        """Use the state and the nonce, both once, in one transaction; None on success, else which
        one was used before (nothing is changed then)."""
        t = db.lti_states.c
        try:
            with self._engine.begin() as c:
                used = c.execute(update(db.lti_states).where(t.state == state, t.used == 0).values(used=1))
                if used.rowcount != 1:
                    raise _AlreadyUsed("state")
                try:
                    c.execute(insert(db.lti_nonces).values(nonce=nonce, issuer=issuer, expires=nonce_expires))
                except IntegrityError:
                    raise _AlreadyUsed("nonce") from None
        except _AlreadyUsed as used_before:
            return str(used_before)
        return None

    def nonce_used(self, nonce: str) -> bool:
        with self._engine.connect() as c:
            return c.execute(select(db.lti_nonces.c.nonce).where(db.lti_nonces.c.nonce == nonce)).first() \
                is not None

    # -- launches ---------------------------------------------------------------------

    def add_launch(self, launch_id: str, data: dict[str, Any]) -> None:
        with self._engine.begin() as c:
            c.execute(insert(db.lti_launches).values(
                launch_id=launch_id, issuer=data["issuer"], client_id=data["client_id"],
                deployment_id=data["deployment_id"], sub=data["sub"], message_type=data["message_type"],
                data=json.dumps(data), created=time.time()))

    def launch(self, launch_id: str) -> dict[str, Any] | None:
        t = db.lti_launches.c
        with self._engine.connect() as c:
            row = c.execute(select(t.data).where(t.launch_id == launch_id)).first()
        return None if row is None else json.loads(row[0])

    # -- platform key sets ------------------------------------------------------------------

    def jwks(self, url: str) -> tuple[dict[str, Any], float] | None:
        t = db.lti_jwks.c
        with self._engine.connect() as c:
            row = c.execute(select(t.jwks, t.fetched).where(t.url == url)).first()
        return None if row is None else (json.loads(row[0]), row[1])

    def put_jwks(self, url: str, jwks: dict[str, Any]) -> None:
        with self._engine.begin() as c:
            c.execute(upsert(self._engine, db.lti_jwks, ("url",),
                             {"url": url, "jwks": json.dumps(jwks), "fetched": time.time()}))

    # -- scores -------------------------------------------------------------------------------

    def last_score(self, lineitem: str, user_id: str) -> float | None:
        t = db.lti_scores.c
        with self._engine.connect() as c:
            row = c.execute(select(t.score).where(t.lineitem == lineitem, t.user_id == user_id)).first()
        return None if row is None else float(row[0])

    def set_score(self, lineitem: str, user_id: str, score: float) -> None:
        with self._engine.begin() as c:
            c.execute(upsert(self._engine, db.lti_scores, ("lineitem", "user_id"), {
                "lineitem": lineitem, "user_id": user_id, "score": score, "posted": time.time()}))
