"""Who may do what, CSRF, and the headers every response carries.

- Writing (``POST /api/releases``, the paste and review pages) needs ``ICALFEED_ADMIN_TOKEN``:
  as ``Authorization: Bearer <token>`` (API clients), or once on ``/admin/login``, after which a
  signed session cookie carries it. No token sent: 401. A wrong one: 403. Writing disabled
  (no admin token configured): 403 saying so. Tokens are compared with
  :func:`hmac.compare_digest`.
- Every form carries a CSRF token bound to the session; a POST from a session without the right
  one, or marked cross-site by the browser (``Sec-Fetch-Site``/``Origin``), is refused with 403.
  Requests authenticated by a bearer header are not cookie-driven and need no CSRF token.
- ``ICALFEED_PRIVATE=1``: feeds, the page and the read API need ``ICALFEED_READ_TOKEN`` (or the
  admin token) as a bearer header or ``?token=`` — calendar apps cannot send headers.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import current_app, request, session
from werkzeug.exceptions import Forbidden, Unauthorized
from werkzeug.wrappers import Response

from icalfeed.config import Config

F = TypeVar("F", bound=Callable[..., Any])
CSRF_FIELD = "csrf_token"
SESSION_ADMIN = "admin"
SESSION_READ = "read"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # and browsers send Origin on our own form posts
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def config() -> Config:
    cfg: Config = current_app.config["ICALFEED"]
    return cfg


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison; an empty expected token never matches."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header, if there is one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class NeedsToken(Unauthorized):
    """401 with a ``WWW-Authenticate`` header naming the realm."""

    def __init__(self, description: str, realm: str) -> None:
        super().__init__(description)
        self.realm = realm

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        headers = super().get_headers(*args, **kwargs)
        headers.append(("WWW-Authenticate", f'Bearer realm="{self.realm}"'))
        return headers


def is_admin() -> bool:
    """Whether this request carries the admin token (header or session); raises 403 if wrong."""
    expected = config().admin_token
    token = bearer_token()
    if token is not None:
        if not expected:
            raise Forbidden("writing is disabled on this server (ICALFEED_ADMIN_TOKEN is not set)")
        if not same_token(token, expected):
            raise Forbidden("wrong admin token")
        return True
    held = session.get(SESSION_ADMIN)
    return isinstance(held, str) and same_token(held, _session_mark(expected))


def _session_mark(token: str) -> str:
    """What the session keeps: a digest of the token, so changing the token logs everyone out."""
    if not token:
        return ""
    return hmac.new(token.encode(), b"icalfeed-admin-session", "sha256").hexdigest()


def log_in_admin(token: str) -> None:
    """Check ``token`` (403 if wrong) and remember it in the session."""
    expected = config().admin_token
    if not expected:
        raise Forbidden("writing is disabled on this server (ICALFEED_ADMIN_TOKEN is not set)")
    if not same_token(token, expected):
        raise Forbidden("wrong admin token")
    session.clear()
    session[SESSION_ADMIN] = _session_mark(expected)
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def log_in_reader() -> None:
    """Remember in the session that this reader gave the read token (private servers)."""
    session[SESSION_READ] = _session_mark(config().read_token)


def admin_required(view: F) -> F:
    """401 without the admin token, 403 with a wrong one; a cookie session must also pass CSRF."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not config().admin_token:
            raise Forbidden("writing is disabled on this server (ICALFEED_ADMIN_TOKEN is not set)")
        via_header = bearer_token() is not None
        if not is_admin():
            raise NeedsToken("the admin token is required: log in at /admin/login", "icalfeed")
        if request.method not in ("GET", "HEAD") and not via_header:
            check_csrf()
        return view(*args, **kwargs)

    return cast(F, wrapped)


def read_allowed() -> bool:
    """Whether this request may read feeds and events (always, unless ICALFEED_PRIVATE=1)."""
    cfg = config()
    if not cfg.private:
        return True
    for token in (bearer_token(), request.args.get("token")):
        if token is None:
            continue
        if same_token(token, cfg.read_token) or same_token(token, cfg.admin_token):
            return True
        raise Forbidden("wrong read token")
    held = session.get(SESSION_READ)
    if isinstance(held, str) and same_token(held, _session_mark(cfg.read_token)):
        return True
    return is_admin()


def require_read() -> None:
    if not read_allowed():
        raise NeedsToken(
            "this server is private: send the read token (Authorization: Bearer, or ?token=)",
            "icalfeed-read",
        )


def read_token_param() -> str | None:
    """The ``?token=`` that feed links need on a private server, for a reader allowed to read.

    Calendar apps cannot log in, so a subscribe link must carry the read token itself; whoever
    may read (read token, session or admin) may see it.
    """
    cfg = config()
    if not cfg.private or not cfg.read_token:
        return None
    return cfg.read_token if read_allowed() else None


def csrf_token() -> str:
    """This session's CSRF token (created on first use), for every form."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def _cross_site() -> bool:
    """Whether the browser says this request comes from another site.

    ``Sec-Fetch-Site`` decides when present; else a foreign ``Origin``. ``Origin: null``
    (privacy modes, some redirects) proves nothing either way: the CSRF token still decides.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site", "").lower()
    if fetch_site:
        return fetch_site == "cross-site" or fetch_site == "same-site"
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc.lower() != request.host.lower()
    return False


def check_csrf() -> None:
    """403 unless the form's CSRF token matches the session's and the post is not cross-site."""
    if _cross_site():
        raise Forbidden("cross-site form posts are refused")
    sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token")
    expected = session.get(CSRF_FIELD)
    if not isinstance(expected, str) or not sent or not same_token(sent, expected):
        raise Forbidden("missing or wrong CSRF token: reload the page and try again")


_SECURITY_ITEMS = tuple(SECURITY_HEADERS.items())
_HSTS = ("Strict-Transport-Security", "max-age=31536000")


def add_security_headers(response: Response) -> Response:
    """The headers above on every response (one a view set itself is kept), HSTS over https."""
    present = {name.lower() for name, _ in response.headers.items()}
    wanted = (*_SECURITY_ITEMS, _HSTS) if request.is_secure else _SECURITY_ITEMS
    response.headers.extend([(k, v) for k, v in wanted if k.lower() not in present])
    return response


__all__ = [
    "CSRF_FIELD",
    "SECURITY_HEADERS",
    "NeedsToken",
    "add_security_headers",
    "admin_required",
    "bearer_token",
    "check_csrf",
    "csrf_token",
    "is_admin",
    "log_in_admin",
    "log_in_reader",
    "read_allowed",
    "read_token_param",
    "require_read",
    "same_token",
]
