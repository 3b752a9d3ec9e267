"""Which addresses icalfeed refuses to connect to: everything that is not plainly public.

>>> address_problem("169.254.169.254")
'link-local'
"""

from __future__ import annotations

import ipaddress
from typing import Final

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")


def address_problem(address: str | IPAddress) -> str | None:
    """Why icalfeed refuses to connect to ``address`` (``"loopback"``...), or None if it is public.

    >>> address_problem("127.0.0.1"), address_problem("::ffff:10.0.0.1"), address_problem("8.8.8.8")
    ('loopback', 'private (IPv4 10.0.0.1 inside ::ffff:a00:1)', None)
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and (problem := address_problem(embedded)):
            return f"{problem} (IPv4 {embedded} inside {ip})"
    checks = (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_private", "private"),
        ("is_reserved", "reserved"),
    )
    for attribute, words in checks:
        if getattr(ip, attribute):
            return words
    if not ip.is_global:
        return "not globally routable"
    return None
