"""A bounded in-memory cache of rendered VEVENTs, keyed by UID and SEQUENCE.

Rendering an event costs most of a millisecond; a feed of 10,000 events would take seconds on
every request. The store keeps each event's bytes in its own table; this cache serves callers
that hold :class:`~icalfeed.model.Event` objects (a web worker, ``icalfeed parse``, a benchmark).
A hit also requires an equal event, the same stamps and the same VEVENT options as the cached
render, so an event changed without a SEQUENCE bump is rendered again rather than served stale.

The same event object asked for again is found by identity without computing its UID (the
cache holds the object, so its ``id()`` cannot be reused while the entry lives): that is what
keeps a warm 10,000-event feed within milliseconds.

>>> from datetime import date
>>> from icalfeed.model import Event, EventKind
>>> cache = VeventCache(maxsize=2)
>>> e = Event(kind=EventKind.OTHER, title="Acme AGM", start=date(2024, 4, 18), tzid=None,
...           all_day=True, identity="AGM 2024")
>>> cache.entry(e) is cache.entry(e), cache.hits, cache.misses
(True, 1, 1)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime

from icalfeed.calendar.options import CalendarOptions
from icalfeed.calendar.vevent import DEFAULT_OPTIONS, FeedEntry, render_entry
from icalfeed.identity import event_uid
from icalfeed.model import Event

_Key = tuple[str, int]
# What else the bytes depend on: SEQUENCE, CREATED, LAST-MODIFIED, options fingerprint.
_Stamp = tuple[int, datetime | None, datetime | None, str]


class VeventCache:
    """Least-recently-used :class:`FeedEntry` objects, at most ``maxsize`` of them; thread-safe."""

    def __init__(self, maxsize: int = 50_000) -> None:
        if maxsize <= 0:
            raise ValueError("maxsize must be > 0")
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._items: OrderedDict[_Key, tuple[Event, _Stamp, FeedEntry]] = OrderedDict()
        # id(event) -> what _items holds for it: only for the event object stored there, so
        # an entry evicted or replaced takes its identity row with it.
        self._by_id: dict[int, tuple[Event, _Stamp, FeedEntry, _Key]] = {}

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._by_id.clear()
            self.hits = self.misses = 0

    def _lookup(self, event: Event, stamp: _Stamp, uid: str | None) -> FeedEntry | None:
        # Caller holds the lock.
        known = self._by_id.get(id(event))
        if known is not None and known[0] is event and known[1] == stamp:
            self._items.move_to_end(known[3])
            return known[2]
        key = (uid or event_uid(event), stamp[0])
        found = self._items.get(key)
        if found is not None and found[1] == stamp and found[0] == event:
            self._items.move_to_end(key)
            return found[2]
        return None

    def _forget(self, key: _Key, event: Event) -> None:
        known = self._by_id.get(id(event))
        if known is not None and known[3] == key:
            del self._by_id[id(event)]

    def _store(self, event: Event, stamp: _Stamp, entry: FeedEntry) -> None:
        # Caller holds the lock.
        key = (entry.uid, entry.sequence)
        old = self._items.get(key)
        if old is not None:
            self._forget(key, old[0])
        self._items[key] = (event, stamp, entry)
        self._items.move_to_end(key)
        self._by_id[id(event)] = (event, stamp, entry, key)
        while len(self._items) > self.maxsize:
            gone_key, (gone, _stamp, _entry) = self._items.popitem(last=False)
            self._forget(gone_key, gone)

    def entry(
        self,
        event: Event,
        *,
        sequence: int = 0,
        created: datetime | None = None,
        last_modified: datetime | None = None,
        options: CalendarOptions = DEFAULT_OPTIONS,
        uid: str | None = None,
    ) -> FeedEntry:
        """The rendered entry for ``event``, from the cache when it was rendered before.

        ``uid`` saves computing :func:`event_uid` when the caller already knows it.
        """
        stamp: _Stamp = (sequence, created, last_modified, options.fingerprint)
        with self._lock:
            found = self._lookup(event, stamp, uid)
            if found is not None:
                self.hits += 1
                return found
            self.misses += 1
        rendered = render_entry(
            event, sequence=sequence, created=created, last_modified=last_modified, options=options
        )
        with self._lock:
            self._store(event, stamp, rendered)
        return rendered

    def entries(
        self, events: Iterable[Event], options: CalendarOptions = DEFAULT_OPTIONS
    ) -> list[FeedEntry]:
        """Entries for many events at SEQUENCE 0 without stamps (what ``render_calendar`` does)."""
        stamp: _Stamp = (0, None, None, options.fingerprint)
        out: list[FeedEntry] = []
        missing: list[tuple[int, Event]] = []
        with self._lock:
            # The loop of every warm feed request: the identity hit inlined, nothing else.
            by_id = self._by_id
            touch = self._items.move_to_end
            for event in events:
                known = by_id.get(id(event))
                if known is not None and known[0] is event and known[1] == stamp:
                    touch(known[3])
                    out.append(known[2])
                    continue
                found = self._lookup(event, stamp, None)
                if found is None:
                    missing.append((len(out), event))
                    out.append(None)  # type: ignore[arg-type]  # filled in below
                else:
                    out.append(found)
            self.hits += len(out) - len(missing)
            self.misses += len(missing)
        for index, event in missing:
            out[index] = render_entry(event, options=options)
        with self._lock:
            for index, event in missing:
                self._store(event, stamp, out[index])
        return out


__all__ = ["VeventCache"]
