"""icalfeed: investor-relations announcements in, subscribable calendars out.

The core (model, normalize, extract, timezones, calendar rendering) is pure: no I/O, no clock, no
environment. The edges (store, sources, web, cli) read configuration and talk to the world.
"""

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
from icalfeed.identity import event_uid
from icalfeed.model import (
    DialIn,
    Event,
    EventKind,
    Evidence,
    Flag,
    Issuer,
    Listing,
    ParsedRelease,
    Release,
    Replay,
    Status,
)
from icalfeed.serialize import event_from_dict, event_to_dict, parsed_release_to_dict

__version__ = "0.1.0"

__all__ = [
    "CalendarError",
    "ConfigError",
    "DecodeError",
    "DialIn",
    "Event",
    "EventKind",
    "Evidence",
    "FetchError",
    "Flag",
    "IcalfeedError",
    "InvalidEventError",
    "Issuer",
    "Listing",
    "NotFoundError",
    "ParseBudgetError",
    "ParsedRelease",
    "Release",
    "ReleaseError",
    "Replay",
    "SchemaVersionError",
    "SourceError",
    "Status",
    "StoreError",
    "StoreUnavailableError",
    "TooLargeError",
    "UnsafeURLError",
    "UnsupportedContentError",
    "__version__",
    "event_from_dict",
    "event_to_dict",
    "event_uid",
    "parsed_release_to_dict",
]
