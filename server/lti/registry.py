"""Platform registrations, keyed by (issuer, client_id), read from a JSON or TOML file.

JSON: `{"registrations": [ {...}, ... ]}` or a bare list; TOML: `[[registrations]]` tables.
Each entry: issuer, client_id, auth_login_url, auth_token_url, key_set_url, deployment_ids
(a non-empty list of strings) and optionally frame_ancestors (origins allowed to frame the tool)
and auth_token_audience (the `aud` of the client assertion, default auth_token_url). See docs/LTI.md.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REQUIRED = ("issuer", "client_id", "auth_login_url", "auth_token_url", "key_set_url", "deployment_ids")


class RegistrationFileError(ValueError):
    """The registrations file cannot be read or an entry lacks something."""


@dataclass(frozen=True)
class Registration:
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    deployment_ids: tuple[str, ...]
    frame_ancestors: tuple[str, ...] = ()
    auth_token_audience: str | None = None
    name: str = ""

    @property
    def token_audience(self) -> str:
        return self.auth_token_audience or self.auth_token_url

    def ancestors(self) -> tuple[str, ...]:
        """Origins allowed to frame the tool: the configured ones, else the issuer's origin."""
        if self.frame_ancestors:
            return self.frame_ancestors
        parts = urlsplit(self.issuer)
        return (f"{parts.scheme}://{parts.netloc}",) if parts.scheme and parts.netloc else ()


@dataclass
class Registry:
    by_key: dict[tuple[str, str], Registration] = field(default_factory=dict)

    def get(self, issuer: str, client_id: str) -> Registration | None:
        return self.by_key.get((issuer, client_id))

    def for_issuer(self, issuer: str) -> list[Registration]:
        return [r for (iss, _), r in self.by_key.items() if iss == issuer]

    def frame_ancestors(self) -> list[str]:
        """Every origin any registration allows to frame the tool, for `Content-Security-Policy`."""
        seen: dict[str, None] = {}
        for reg in self.by_key.values():
            for origin in reg.ancestors():
                seen[origin] = None
        return list(seen)

    def __len__(self) -> int:
        return len(self.by_key)


def parse_registrations(data: Any) -> Registry:
    entries = data.get("registrations", []) if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise RegistrationFileError("expected a list of registrations (or {\"registrations\": [...]})")
    registry = Registry()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise RegistrationFileError(f"registration #{i + 1} is not an object")
        missing = [k for k in REQUIRED if not entry.get(k)]
        if missing:
            raise RegistrationFileError(f"registration #{i + 1} lacks {', '.join(missing)}")
        deployments = entry["deployment_ids"]
        if isinstance(deployments, str) or not all(isinstance(d, str | int) for d in deployments):
            raise RegistrationFileError(f"registration #{i + 1}: deployment_ids must be a list of strings")
        reg = Registration(
            issuer=str(entry["issuer"]),
            client_id=str(entry["client_id"]),
            auth_login_url=str(entry["auth_login_url"]),
            auth_token_url=str(entry["auth_token_url"]),
            key_set_url=str(entry["key_set_url"]),
            deployment_ids=tuple(str(d) for d in deployments),
            frame_ancestors=tuple(str(o).rstrip("/") for o in entry.get("frame_ancestors", ())),
            auth_token_audience=entry.get("auth_token_audience"),
            name=str(entry.get("name", "")),
        )
        key = (reg.issuer, reg.client_id)
        if key in registry.by_key:
            raise RegistrationFileError(
                f"registration #{i + 1} repeats issuer {reg.issuer} client {reg.client_id}")
        registry.by_key[key] = reg
    return registry


def load_registrations(path: Path | None) -> Registry:
    """The registrations in `path` (.toml or .json); none when the path is unset."""
    if path is None:
        return Registry()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistrationFileError(f"cannot read LTI registrations {path}: {exc}") from exc
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise RegistrationFileError(f"LTI registrations {path} are not valid: {exc}") from exc
    return parse_registrations(data)
