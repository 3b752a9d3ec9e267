"""The one place the web app opens its store.

The store is opened on first use, not in ``create_app``: an app whose database is down still
starts, answers ``/healthz`` with 503 and the reason, and recovers when the database comes back
(a failed open is not remembered).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from icalfeed.store import Store


class StoreHolder:
    """Opens the store once, on first use, and again after a failed open (thread-safe)."""

    def __init__(self, opener: Callable[[], Store]) -> None:
        self._opener = opener
        self._store: Store | None = None
        self._lock = threading.Lock()

    def get(self) -> Store:
        store = self._store
        if store is not None:
            return store
        with self._lock:
            if self._store is None:
                self._store = self._opener()  # raises StoreUnavailableError etc.: not cached
            return self._store

    def dispose(self) -> None:
        """Drop pooled connections inherited across ``fork()`` (gunicorn ``post_fork``)."""
        if self._store is not None:
            self._store.dispose()

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


__all__ = ["StoreHolder"]
