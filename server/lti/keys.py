"""The tool's RSA key. By default it lives in the server's database, so every web node signs
with the one key the platforms trust (server/lti/store.py); NNPLAY_LTI_KEY names a PEM file
instead, generated (mode 0600) on first start if absent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class ToolKey:
    """Signs the tool's JWTs (RS256, with `kid`) and derives the HMAC secret of its own short tokens."""

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self.private_key = private_key
        numbers = private_key.public_key().public_numbers()
        self._public = {"kty": "RSA", "n": b64url_uint(numbers.n), "e": b64url_uint(numbers.e)}
        # RFC 7638 thumbprint: a kid that changes exactly when the key does
        canonical = json.dumps({"e": self._public["e"], "kty": "RSA", "n": self._public["n"]},
                               separators=(",", ":"), sort_keys=True)
        self.kid = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
        der = private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
        self.hmac_secret = hmac.new(der, b"nnplay-lti-hmac-v1", hashlib.sha256).digest()

    @classmethod
    def generate(cls) -> ToolKey:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def from_pem(cls, pem: bytes, source: str) -> ToolKey:
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as e:  # not PEM, or encrypted
            raise ValueError(f"{source} does not hold an unencrypted PEM private key ({e})") from e
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{source} does not hold an RSA private key")
        return cls(key)

    def pem(self) -> bytes:
        return self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption())

    @classmethod
    def load_or_create(cls, path: Path) -> ToolKey:
        if path.exists():
            return cls.from_pem(path.read_bytes(), str(path))
        tool = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: use its key
            return cls.load_or_create(path)
        with os.fdopen(fd, "wb") as f:
            f.write(tool.pem())
        os.chmod(path, 0o600)
        return tool

    def public_jwk(self) -> dict[str, Any]:
        return {**self._public, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk()]}
