"""Dry-run parses for anyone who asks (``POST /api/parse``, the paste preview), with a hard stop.

The parser checks its own time budget (ICALFEED_PARSE_BUDGET_SECONDS) as it goes; this module
does not trust that alone with anonymous input. Each dry run happens in a forked child process
that is killed when it overruns twice the budget (at least one second more), and at most
:data:`MAX_CONCURRENT` dry runs per web worker run at once — more wait up to
:data:`WAIT_SECONDS`, then get 429. So a hostile release costs one process a bounded time, never
a worker thread for minutes.

A forked child only runs the parser and sends its result back through a pipe; it never touches
the store's connections and exits without running the parent's exit handlers.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from werkzeug.exceptions import TooManyRequests

from icalfeed.errors import IcalfeedError, ParseBudgetError, ReleaseError

T = TypeVar("T")
MAX_CONCURRENT = 2
WAIT_SECONDS = 5.0

_slots = threading.BoundedSemaphore(MAX_CONCURRENT)


def hard_limit(budget: float) -> float:
    """Seconds a dry run may take before it is killed: twice the budget, at least budget + 1."""
    return budget + max(budget, 1.0)


def _child(conn: Connection, call: Callable[[], Any]) -> None:
    try:
        result: tuple[bool, Any] = (True, call())
    except IcalfeedError as e:
        result = (False, e)
    except BaseException as e:  # a parser bug: report it, in words, as a release error
        result = (
            False,
            ReleaseError(f"the parser failed on this release: {type(e).__name__}: {e}"),
        )
    try:
        conn.send(result)
    except Exception as e:  # the result did not pickle
        conn.send((False, ReleaseError(f"the parser's result could not be returned: {e}")))
    finally:
        conn.close()


def run_bounded(call: Callable[[], T], *, limit: float) -> T:
    """``call()`` in a forked child; ParseBudgetError when it takes longer than ``limit``."""
    if not _slots.acquire(timeout=WAIT_SECONDS):
        raise TooManyRequests("too many releases are being parsed right now; try again shortly")
    try:
        ctx = multiprocessing.get_context("fork")
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(child, call), name="icalfeed-dry-run")
        proc.start()
        child.close()
        try:
            if not parent.poll(limit):
                raise ParseBudgetError(f"parsing took longer than {limit:g} s and was stopped")
            ok, value = parent.recv()
        except EOFError:
            raise ReleaseError("the parser process ended without an answer") from None
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join(5)
            parent.close()
    finally:
        _slots.release()
    if ok:
        result: T = value
        return result
    assert isinstance(value, IcalfeedError)
    raise value


__all__ = ["MAX_CONCURRENT", "hard_limit", "run_bounded"]
