"""``create_app(config=None)``: the Flask application factory (no app object at import).

``config`` is a :class:`~icalfeed.config.Config` (default: ``Config.from_env()``, i.e. the
``ICALFEED_*`` variables). Tests pass ``store=`` to use a store of their own; otherwise the app
opens ``Store.open(config)`` on first use (see :mod:`icalfeed.web.storeapi`) — a test's
store is used as it is and never closed by the app.
"""

from __future__ import annotations

import os
import secrets
import weakref
from pathlib import Path
from typing import Any

from flask import Flask, g

from icalfeed import __version__
from icalfeed.calendar import options_from_config
from icalfeed.config import Config
from icalfeed.store import Store
from icalfeed.web.conditional import BodyCache, RevalidationShortcut, VersionCache
from icalfeed.web.errors import register_error_handlers
from icalfeed.web.security import add_security_headers, csrf_token
from icalfeed.web.storeapi import StoreHolder

# Slack over ICALFEED_MAX_RELEASE_BYTES for form fields and multipart framing.
FORM_OVERHEAD = 64 * 1024
# Seconds a feed's validator is reused before the store is asked again (see VersionCache).
VERSION_TTL = 1.0
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret

_apps: weakref.WeakSet[Flask] = weakref.WeakSet()


def _secret_key(config: Config) -> str:
    """ICALFEED_SECRET_KEY, else a random key kept in the instance folder (shared by workers)."""
    if config.secret_key:
        return config.secret_key
    folder = Path(config.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        key = secrets.token_urlsafe(48)
        f.write(key + "\n")
    return key


def create_app(
    config: Config | None = None, *, store: Store | None = None, version_ttl: float = VERSION_TTL
) -> Flask:
    """The icalfeed web app: feeds, the page, the JSON API and the admin pages.

    ``version_ttl``: seconds a feed's ETag is reused before the store is asked again (0: ask on
    every request; tests that write to the store behind the app's back use 0).
    """
    config = config or Config.from_env()
    app = Flask("icalfeed.web", instance_path=str(Path(config.instance_path).resolve()))
    app.config.update(
        ICALFEED=config,
        SECRET_KEY=_secret_key(config),
        MAX_CONTENT_LENGTH=config.max_release_bytes + FORM_OVERHEAD,
        MAX_FORM_MEMORY_SIZE=config.max_release_bytes + FORM_OVERHEAD,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_NAME="icalfeed_session",
        JSON_SORT_KEYS=False,
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["icalfeed.store"] = StoreHolder(
        (lambda: store) if store is not None else (lambda: Store.open(config))
    )
    app.extensions["icalfeed.bodies"] = BodyCache()
    app.extensions["icalfeed.versions"] = VersionCache(version_ttl)
    app.extensions["icalfeed.options"] = options_from_config(config)

    from icalfeed.web import admin, api, feeds, pages

    app.register_blueprint(feeds.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    register_error_handlers(app)
    app.after_request(add_security_headers)

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        return {"csrf_token": csrf_token, "version": __version__, "config": config}

    if not config.private:
        shortcut = RevalidationShortcut(app.wsgi_app, version_ttl)
        app.extensions["icalfeed.shortcut"] = shortcut
        app.wsgi_app = shortcut  # type: ignore[method-assign]
    _apps.add(app)
    return app


def get_store() -> Store:
    """This app's store (opened on first use; StoreUnavailableError -> 503)."""
    from flask import current_app

    if "store" not in g:
        holder: StoreHolder = current_app.extensions["icalfeed.store"]
        g.store = holder.get()
    store: Store = g.store
    return store


def store_changed() -> None:
    """Forget cached feed validators after this process wrote to the store."""
    from flask import current_app

    versions: VersionCache = current_app.extensions["icalfeed.versions"]
    versions.clear()
    shortcut: RevalidationShortcut | None = current_app.extensions.get("icalfeed.shortcut")
    if shortcut is not None:
        shortcut.clear()


def dispose_stores_after_fork() -> None:
    """Drop every app's pooled connections in a forked child (gunicorn ``post_fork``)."""
    for app in list(_apps):
        holder: StoreHolder = app.extensions["icalfeed.store"]
        holder.dispose()


__all__ = ["create_app", "dispose_stores_after_fork", "get_store", "store_changed"]
