"""``icalfeed serve``: the web app on a local port, or one request through it (``--get``).

With the server stack installed (dependencies: gunicorn, uvicorn with httptools, uvicorn-worker,
a2wsgi) the app runs as in production: gunicorn with the settings of
:mod:`icalfeed.web.gunicorn_conf`, uvicorn workers serving :func:`~icalfeed.web.create_asgi_app`;
without them, on Flask's development server with a warning.
``--get /path`` runs a single request through the app and prints the response — the way to try
a route, or to script one, without a server (as ``datasette --get`` does).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any

import click

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: What gunicorn_conf.py's server needs: the process manager, its uvicorn worker, the parser.
SERVER_STACK = ("gunicorn", "uvicorn", "uvicorn_worker", "httptools", "a2wsgi")


def missing_server_packages() -> list[str]:
    """The modules of :data:`SERVER_STACK` that cannot be imported here."""
    return [name for name in SERVER_STACK if importlib.util.find_spec(name) is None]


def subscribe_url(host: str, port: int, public_url: str = "") -> str:
    """The webcal:// URL of the whole feed, as ``serve`` prints it."""
    base = public_url.rstrip("/") if public_url else f"http://{host}:{port}"
    return "webcal://" + base.split("://", 1)[1] + "/calendar.ics"


def _run_get(path: str, headers: tuple[str, ...], show_headers: bool) -> None:
    from icalfeed.web import create_app

    if not path.startswith("/"):
        raise click.BadParameter("the path must start with /", param_hint="--get")
    extra: dict[str, str] = {}
    for header in headers:
        name, sep, value = header.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"{header!r}: expected 'Name: value'", param_hint="--header")
        extra[name.strip()] = value.strip()
    app = create_app()
    response = app.test_client().get(path, headers=extra)
    if show_headers:
        click.echo(f"HTTP/1.1 {response.status}")
        for name, value in response.headers.items():
            click.echo(f"{name}: {value}")
        click.echo("")
    sys.stdout.buffer.write(response.get_data())
    sys.stdout.flush()
    if response.status_code >= 400:
        sys.exit(1)


def _run_gunicorn(host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    import icalfeed.web.gunicorn_conf as conf
    from icalfeed.web import create_asgi_app

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings: dict[str, Any] = {
                name: getattr(conf, name)
                for name in dir(conf)
                if name in self.cfg.settings and name not in ("wsgi_app", "bind", "workers")
            }
            settings.update(bind=[f"{host}:{port}"], workers=workers)
            for name, value in settings.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return create_asgi_app()

    _App().run()


@click.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port.")
@click.option("--workers", default=2, show_default=True, type=int, help="Gunicorn workers.")
@click.option("--dev", is_flag=True, help="Use Flask's development server (one process).")
@click.option("--get", "get_path", metavar="PATH", help="Run one GET through the app, print it.")
@click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'", help="With --get.")
@click.option("--headers", "show_headers", is_flag=True, help="With --get: print headers too.")
@click.option(
    "--database",
    metavar="URL",
    default=None,
    help="SQLAlchemy URL of the store (default: ICALFEED_DATABASE_URL, else the SQLite file).",
)
def serve(
    host: str,
    port: int,
    workers: int,
    dev: bool,
    get_path: str | None,
    headers: tuple[str, ...],
    show_headers: bool,
    database: str | None,
) -> None:
    """Serve feeds, the page and the API (gunicorn, uvicorn workers), or run one request with
    --get."""
    if database:
        # the app (and every gunicorn worker forked from it) reads its settings from here
        os.environ["ICALFEED_DATABASE_URL"] = database
    if get_path is not None:
        _run_get(get_path, headers, show_headers)
        return
    from icalfeed.config import Config

    config = Config.from_env()
    click.echo(f"icalfeed: serving on http://{host}:{port}/", err=True)
    click.echo(f"icalfeed: subscribe at {subscribe_url(host, port, config.public_url)}", err=True)
    missing = missing_server_packages()
    if missing and not dev:
        dev = True
        click.echo(
            f"icalfeed: warning: {', '.join(missing)} not installed; using Flask's server", err=True
        )
    if dev:
        from icalfeed.web import create_app

        click.echo("icalfeed: warning: development server, not for production", err=True)
        create_app(config).run(host=host, port=port, debug=False, threaded=True)
        return
    _run_gunicorn(host, port, workers)


__all__ = ["serve", "subscribe_url"]
