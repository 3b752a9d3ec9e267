"""Every error icalfeed raises on purpose, as one tree.

::

    IcalfeedError
    ├── ReleaseError              a release that cannot be read or parsed
    │   ├── DecodeError           bytes that are not text in any encoding we accept
    │   ├── UnsupportedContentError  content type we do not read (PDF, images, ...)
    │   └── ParseBudgetError      the parser ran past its time budget
    ├── InvalidEventError         an Event that breaks the model's invariants
    ├── CalendarError             events that cannot be rendered as iCalendar
    ├── SourceError               fetching a release or a feed
    │   ├── UnsafeURLError        scheme, address or redirect we refuse
    │   ├── FetchError            network failure, HTTP error status, timeout
    │   └── TooLargeError         body over the size cap (also after decompression)
    ├── StoreError                the database
    │   ├── SchemaVersionError    the database's schema is not the one this code needs
    │   ├── StoreUnavailableError the database cannot be reached right now
    │   └── NotFoundError         no such release, event or review item
    └── ConfigError               a setting with a value we cannot use

Errors carry what went wrong in words a user can act on; the edges (CLI, web) turn them into
exit codes and HTTP statuses in one place each.
"""

from __future__ import annotations


class IcalfeedError(Exception):
    """Root of every error icalfeed raises on purpose."""


class ReleaseError(IcalfeedError):
    """A release that cannot be read or parsed."""


class DecodeError(ReleaseError):
    """Bytes that are not text in any encoding we accept."""


class UnsupportedContentError(ReleaseError):
    """A content type icalfeed does not read."""


class ParseBudgetError(ReleaseError):
    """The parser ran past its time budget for one release."""


class InvalidEventError(IcalfeedError, ValueError):
    """An Event whose fields contradict each other (e.g. a naive start that is not all-day)."""


class CalendarError(IcalfeedError):
    """Events that cannot be rendered as iCalendar."""


class SourceError(IcalfeedError):
    """Fetching a release or a feed failed."""


class UnsafeURLError(SourceError):
    """A URL whose scheme, address or redirect target we refuse to fetch."""


class FetchError(SourceError):
    """A network failure, an HTTP error status or a timeout."""


class TooLargeError(SourceError):
    """A body over the size cap, counted after decompression."""


class StoreError(IcalfeedError):
    """Something went wrong in the database."""


class SchemaVersionError(StoreError):
    """The database's schema is older or newer than this code expects."""


class StoreUnavailableError(StoreError):
    """The database cannot be reached right now; retrying later may work."""


class NotFoundError(StoreError):
    """No release, event or review item with that identifier."""


class ConfigError(IcalfeedError):
    """A setting with a value icalfeed cannot use."""


__all__ = [
    "CalendarError",
    "ConfigError",
    "DecodeError",
    "FetchError",
    "IcalfeedError",
    "InvalidEventError",
    "NotFoundError",
    "ParseBudgetError",
    "ReleaseError",
    "SchemaVersionError",
    "SourceError",
    "StoreError",
    "StoreUnavailableError",
    "TooLargeError",
    "UnsafeURLError",
    "UnsupportedContentError",
]
