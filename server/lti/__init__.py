"""LTI 1.3 / LTI Advantage tool: OIDC login, launch validation, deep linking, grade passback.

The lessons code posts grades with `service.post_score(launch_id, score)` (async) or
`service.post_score_sync(...)`, where `service = app.state.lti` (an `LtiService`); the launch
token of a request is read with `service.session(token)`. See docs/LTI.md.
"""

from server.lti.errors import AgsError, LtiError
from server.lti.registry import Registration, Registry, load_registrations
from server.lti.service import LtiService

__all__ = ["AgsError", "LtiError", "LtiService", "Registration", "Registry", "load_registrations"]
