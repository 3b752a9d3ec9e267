"""Response bodies: Content-Encoding undone incrementally, under a size cap on the decoded bytes.

>>> import gzip
>>> body = BodyDecoder("gzip", limit=100, url="https://ir.example.com/")
>>> body.feed(gzip.compress(b"release"))
>>> body.finish()
b'release'
"""

from __future__ import annotations

import zlib

from icalfeed.errors import FetchError, TooLargeError


class BodyDecoder:
    """Collects a body, undoing Content-Encoding incrementally and enforcing the size cap."""

    def __init__(self, encoding: str, *, limit: int, url: str) -> None:
        self.limit = limit
        self.url = url
        self.parts: list[bytes] = []
        self.size = 0
        self.encoding = encoding.strip().lower()
        self.pending = b""  # deflate: first bytes, until we know zlib-wrapped or raw
        self.z: zlib._Decompress | None = None
        if self.encoding in ("gzip", "x-gzip"):
            self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding not in ("", "identity", "deflate"):
            raise FetchError(f"{url}: unsupported Content-Encoding {encoding!r}")

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            what = "decompressed " if self.encoding not in ("", "identity") else ""
            raise TooLargeError(
                f"{self.url}: {what}body is over the size cap of {self.limit} bytes "
                "(ICALFEED_MAX_RELEASE_BYTES)"
            )
        if data:
            self.parts.append(data)

    def feed(self, data: bytes) -> None:
        if self.encoding in ("", "identity"):
            self._keep(data)
            return
        if self.z is None:  # deflate: RFC 9110 says zlib-wrapped, some servers send it raw
            self.pending += data
            if len(self.pending) < 2:
                return
            b0, b1 = self.pending[0], self.pending[1]
            wrapped = b0 & 0x0F == 8 and ((b0 << 8) | b1) % 31 == 0
            self.z = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
            data, self.pending = self.pending, b""
        try:
            while data:
                # max_length keeps one small chunk from inflating to gigabytes in memory.
                self._keep(self.z.decompress(data, self.limit - self.size + 1))
                data = self.z.unconsumed_tail
                if self.z.eof:
                    data = self.z.unused_data
                    if not data.strip(b"\x00"):
                        break
                    # another gzip member follows (concatenated gzip is legal)
                    self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        except zlib.error as e:
            raise FetchError(f"{self.url}: corrupt {self.encoding} body: {e}") from None

    def finish(self) -> bytes:
        if self.z is not None:
            if not self.z.eof:
                raise FetchError(f"{self.url}: {self.encoding} body ends before its end")
        elif self.pending:
            raise FetchError(f"{self.url}: corrupt deflate body")
        return b"".join(self.parts)
