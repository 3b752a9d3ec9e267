"""Writing pages: log in with the admin token, paste a release (preview, then add), review.

Every form carries the session's CSRF token; every write is a POST (a GET never changes
anything). The paste page's preview is a dry run; "Add" sends the same text again to be stored.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as BaseResponse

from icalfeed.errors import IcalfeedError
from icalfeed.store.records import Applied, ReviewItem
from icalfeed.web.app import get_store, store_changed
from icalfeed.web.errors import status_for
from icalfeed.web.feeds import calendar_options
from icalfeed.web.filters import FilterError
from icalfeed.web.intake import (
    Submission,
    accept_review,
    fetch_submission,
    ingest_submission,
    parse_submission,
    read_submission,
)
from icalfeed.web.security import (
    admin_required,
    check_csrf,
    config,
    log_in_admin,
    log_in_reader,
    same_token,
)
from icalfeed.web.views import EventView, event_view

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/login")
def login_form() -> str:
    return render_template("login.html", next=_next_url())


def _next_url() -> str:
    target = request.values.get("next", "")
    # Only a path on this site: never an open redirect, never a header split.
    if (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and len(target) < 2000
    ):
        return target
    return url_for("admin.paste_form")


@bp.post("/login")
def login() -> BaseResponse:
    check_csrf()
    token = request.form.get("token", "")
    if not token:
        raise FilterError("enter the admin token")
    cfg = config()
    if cfg.private and same_token(token, cfg.read_token):
        log_in_reader()
        return redirect(url_for("pages.index"))
    log_in_admin(token)
    return redirect(_next_url())


@bp.post("/logout")
def logout() -> BaseResponse:
    check_csrf()
    session.clear()
    return redirect(url_for("pages.index"))


@bp.get("/")
@admin_required
def home() -> BaseResponse:
    return redirect(url_for("admin.paste_form"))


@bp.get("/paste")
@admin_required
def paste_form() -> str:
    return render_template("paste.html", text="", url="", published="", preview=None)


def _render_paste(sub: Submission | None, text: str, url: str, published: str) -> str:
    preview = None
    error = None
    if sub is not None:
        try:
            cfg = config()
            fetched = fetch_submission(sub, cfg)
            parsed = parse_submission(fetched, cfg)
            options = calendar_options()
            preview = {
                "issuer": parsed.issuer,
                "headline": parsed.release.headline,
                "published": parsed.release.published,
                "events": [event_view(e, options) for e in parsed.events],
                "warnings": parsed.warnings,
            }
        except IcalfeedError as e:
            if status_for(e) >= 500:
                raise
            error = str(e)
    return render_template(
        "paste.html", text=text, url=url, published=published, preview=preview, error=error
    )


@bp.post("/paste")
@admin_required
def paste_preview() -> str:
    """Parse what was pasted and show it; nothing is stored."""
    text = request.form.get("text", "")
    url = request.form.get("url", "")
    published = request.form.get("published", "")
    try:
        sub = read_submission(request, config())
    except FilterError as e:
        return render_template(
            "paste.html", text=text, url=url, published=published, preview=None, error=str(e)
        )
    return _render_paste(sub, text, url, published)


@bp.post("/paste/add")
@admin_required
def paste_add() -> BaseResponse:
    """Store and parse the previewed release, then show where it went."""
    cfg = config()
    sub = fetch_submission(read_submission(request, cfg), cfg)
    added, applied = ingest_submission(get_store(), sub, cfg, "paste")
    store_changed()
    outcome = applied.outcome if applied and applied.outcome else added.outcome
    changes = len(applied.changes) if applied else 0
    if added.new:
        flash(f"Release {added.id} added: {outcome.value}, {changes} event change(s).")
    else:
        flash(f"Release {added.id} was already stored ({outcome.value}).")
    if outcome.value == "needs_review":
        return redirect(url_for("admin.review"))
    return redirect(url_for("pages.index", past="1"))


def _review_views(items: list[ReviewItem]) -> list[tuple[ReviewItem, EventView | None]]:
    options = calendar_options()
    return [(item, event_view(item.event, options) if item.event else None) for item in items]


@bp.get("/review")
@admin_required
def review() -> str:
    items = get_store().review_queue()
    return render_template("review.html", items=_review_views(items))


@bp.post("/review/<int:release_id>")
@admin_required
def decide(release_id: int) -> BaseResponse:
    """Accept or reject one held event (``uid``) or a whole held release."""
    decision = request.form.get("decision")
    uid = request.form.get("uid") or None
    store = get_store()
    if decision == "accept":
        applied = _accept(release_id, uid)
    elif decision == "reject":
        applied = store.reject(release_id, uid)
    else:
        raise BadRequest("decision must be accept or reject")
    store_changed()
    flash(
        f"Release {release_id}{' event ' + uid if uid else ''}: {decision}ed "
        f"({len(applied.changes)} event change(s))."
    )
    return redirect(url_for("admin.review"))


def _accept(release_id: int, uid: str | None) -> Applied:
    return accept_review(get_store(), release_id, uid)


__all__ = ["bp"]
