"""The web app: feeds calendar apps subscribe to, the page people use, the JSON API.

``create_app(config=None)`` builds it (no app object exists at import); ``create_asgi_app()`` is
the same app as the server runs it, behind an ASGI front that answers provable 304s in the
event loop and runs Flask in threads (:mod:`icalfeed.web.asgi`). Routes:

- Feeds: ``GET /calendar.ics`` (``ticker``, ``kind``, ``from``, ``to``, ``alarm``),
  ``/companies/<ticker>.ics``, ``/events/<uid>.ics`` (a download) — strong ETags, 304s, gzip,
  HEAD (:mod:`icalfeed.web.feeds`, :mod:`icalfeed.web.conditional`).
- The page ``/`` with filters and subscribe links (:mod:`icalfeed.web.pages`).
- The API: ``GET /api/events``, ``/api/events/<uid>``, ``POST /api/parse`` (dry run),
  ``POST /api/releases`` (admin token), ``GET /healthz`` (:mod:`icalfeed.web.api`).
- Writing pages under ``/admin/``: log in, paste a release, review (:mod:`icalfeed.web.admin`).

Errors become statuses in :mod:`icalfeed.web.errors`; tokens, CSRF and headers live in
:mod:`icalfeed.web.security`.
"""

from icalfeed.web.app import create_app, dispose_stores_after_fork
from icalfeed.web.asgi import create_asgi_app

__all__ = ["create_app", "create_asgi_app", "dispose_stores_after_fork"]
