"""The one place errors become HTTP answers: a status, a reason, never a stack trace.

:data:`STATUS` maps each :class:`~icalfeed.errors.IcalfeedError` to a status (the most specific
class wins). The body is JSON for the API and for clients that ask for it, an HTML page for
browsers, plain text otherwise (calendar apps fetching a feed).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from icalfeed.errors import (
    CalendarError,
    ConfigError,
    DecodeError,
    FetchError,
    IcalfeedError,
    InvalidEventError,
    NotFoundError,
    ParseBudgetError,
    ReleaseError,
    SchemaVersionError,
    SourceError,
    StoreError,
    StoreUnavailableError,
    TooLargeError,
    UnsafeURLError,
    UnsupportedContentError,
)
from icalfeed.web.filters import FilterError

log = logging.getLogger("icalfeed.web")

# Most specific first; the first class the error is an instance of decides.
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (NotFoundError, 404),
    (SchemaVersionError, 503),
    (StoreUnavailableError, 503),
    (StoreError, 503),
    (TooLargeError, 413),
    (UnsafeURLError, 400),
    (FetchError, 422),
    (SourceError, 422),
    (UnsupportedContentError, 415),
    (DecodeError, 422),
    (ParseBudgetError, 422),
    (ReleaseError, 422),
    (InvalidEventError, 422),
    (CalendarError, 400),
    (ConfigError, 503),
    (FilterError, 400),
)
TITLES = {
    400: "Bad request",
    401: "Token required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    415: "Unsupported content type",
    422: "Cannot use this release",
    500: "Internal error",
    503: "Service unavailable",
}


def status_for(error: Exception) -> int:
    for cls, status in STATUS:
        if isinstance(error, cls):
            return status
    return 500


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/healthz")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "text/plain"])
    return best == "application/json"


def wants_html() -> bool:
    if request.path.endswith(".ics"):
        return False
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "text/plain"])
    return best == "text/html"


def error_response(status: int, reason: str, headers: dict[str, str] | None = None) -> Response:
    """The error as JSON, HTML or text, as the client prefers."""
    reason = reason.strip() or TITLES.get(status, "Error")
    if wants_json():
        response = Response(
            current_app.json.dumps({"error": reason, "status": status}) + "\n",
            status=status,
            mimetype="application/json",
        )
    elif wants_html():
        html = render_template(
            "error.html", status=status, title=TITLES.get(status, "Error"), reason=reason
        )
        response = Response(html, status=status, mimetype="text/html")
    else:
        response = Response(reason + "\n", status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _icalfeed_error(error: IcalfeedError) -> Response:
    status = status_for(error)
    headers = {"Retry-After": "30"} if status == 503 else None
    if status == 503:
        log.warning("%s %s: %s", request.method, request.path, error)
    return error_response(status, str(error), headers)


def _filter_error(error: FilterError) -> Response:
    return error_response(400, str(error))


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    headers = dict(error.get_headers())
    headers.pop("Content-Type", None)
    headers.pop("Content-Length", None)
    reason = error.description or TITLES.get(status, "Error")
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        reason = f"the request body is over the limit of {limit} bytes"
    return error_response(status, reason, headers)


def _unexpected(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal error; it has been logged")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(IcalfeedError, _icalfeed_error)
    app.register_error_handler(FilterError, _filter_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


__all__ = ["STATUS", "error_response", "register_error_handlers", "status_for", "wants_json"]
