"""Validation of the platform's id_token (LTI 1.3 core §5.1.3 and the 1EdTech Security Framework)."""

from __future__ import annotations

from typing import Any

import jwt

from server.lti import claims as c
from server.lti.errors import LtiError
from server.lti.jwks import JwksCache
from server.lti.registry import Registration

#: seconds of clock skew tolerated on exp / iat
LEEWAY = 60


def _refuse(reason: str, message: str, status: int = 401) -> LtiError:
    return LtiError(reason, message, status)


async def validate_id_token(token: str, reg: Registration, jwks: JwksCache,
                            leeway: int = LEEWAY) -> dict[str, Any]:
    """The claims of a valid id_token for `reg`; LtiError naming the first check that failed.

    The nonce is returned, not judged here: the launch compares it with the login's and uses it once.
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise _refuse("malformed_token", f"the id_token is not a JWT: {exc}", 400) from exc
    alg = header.get("alg")
    if alg != "RS256":
        raise _refuse("alg_not_allowed", f"the id_token is signed with alg {alg!r}; only RS256 is accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _refuse("missing_kid", "the id_token header has no kid")
    key = await jwks.key_for(reg.key_set_url, kid)
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=["RS256"], audience=reg.client_id, issuer=reg.issuer, leeway=leeway,
            options={"require": ["exp", "iat", "iss", "aud", "nonce"]})
    except jwt.InvalidSignatureError as exc:
        raise _refuse("bad_signature",
                      "the id_token signature does not verify with the platform's key") from exc
    except jwt.ExpiredSignatureError as exc:
        raise _refuse("expired", "the id_token has expired (exp is in the past)") from exc
    except jwt.ImmatureSignatureError as exc:
        raise _refuse("issued_in_future", f"the id_token is not valid yet: {exc}") from exc
    except jwt.InvalidIssuerError as exc:
        raise _refuse("wrong_issuer", f"the id_token issuer is not {reg.issuer}") from exc
    except jwt.InvalidAudienceError as exc:
        raise _refuse("wrong_audience",
                      f"the id_token audience does not include client_id {reg.client_id}") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise _refuse("missing_claim", f"the id_token lacks the claim {exc.claim!r}") from exc
    except jwt.PyJWTError as exc:
        raise _refuse("invalid_token", f"the id_token is not valid: {exc}") from exc

    aud = claims["aud"]
    audiences = aud if isinstance(aud, list) else [aud]
    azp = claims.get("azp")
    if len(audiences) > 1 and azp is None:
        raise _refuse("missing_azp", "the id_token has several audiences but no azp claim")
    if azp is not None and azp != reg.client_id:
        raise _refuse("wrong_azp", f"the id_token azp {azp!r} is not client_id {reg.client_id}")

    version = claims.get(c.VERSION)
    if version != "1.3.0":
        raise _refuse("wrong_version", f"the LTI version claim is {version!r}, not \"1.3.0\"", 400)
    message_type = claims.get(c.MESSAGE_TYPE)
    if message_type not in c.MESSAGE_TYPES:
        raise _refuse("wrong_message_type",
                      f"the message type {message_type!r} is not one of {', '.join(c.MESSAGE_TYPES)}", 400)
    deployment = claims.get(c.DEPLOYMENT_ID)
    if deployment is None or str(deployment) not in reg.deployment_ids:
        raise _refuse("unknown_deployment",
                      f"deployment_id {deployment!r} is not registered for this platform and client", 400)
    _required(claims, message_type)
    return claims


def _required(claims: dict[str, Any], message_type: str) -> None:
    def missing(what: str) -> LtiError:
        return _refuse("missing_claim", f"the id_token lacks the required claim {what}", 400)

    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise missing("sub")
    if not isinstance(claims.get(c.ROLES), list):
        raise missing(c.ROLES)
    if not isinstance(claims.get(c.TARGET_LINK_URI), str) or not claims[c.TARGET_LINK_URI]:
        raise missing(c.TARGET_LINK_URI)
    if message_type == c.RESOURCE_LINK_REQUEST:
        link = claims.get(c.RESOURCE_LINK)
        if not isinstance(link, dict) or not isinstance(link.get("id"), str | int) or link.get("id") == "":
            raise missing(c.RESOURCE_LINK + " id")
    else:
        dl = claims.get(c.DEEP_LINKING_SETTINGS)
        if not isinstance(dl, dict) or not isinstance(dl.get("deep_link_return_url"), str):
            raise missing(c.DEEP_LINKING_SETTINGS + " deep_link_return_url")
