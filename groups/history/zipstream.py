"""A zip archive written as it is sent: the standard library's zipfile on a writer that cannot
seek, so each entry is compressed as its text arrives and followed by a data descriptor (sizes
and CRC after the data) instead of being patched in place. What was written so far is taken out
with `take()` and sent; only one chunk of output is ever held."""

import io
import zipfile
from collections.abc import Buffer, Iterable, Iterator


class _Sink(io.RawIOBase):
    """Collects what zipfile writes until it is taken; not seekable, so zipfile streams."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: Buffer) -> int:
        self.data += b
        return memoryview(b).nbytes


class ZipStream:
    """`add(name, parts)` yields the archive's bytes while writing one entry from text parts;
    `close()` yields the central directory. Entries are deflated; each yield is what
    compression gave for at least CHUNK bytes of input (or the rest)."""

    CHUNK = 64 * 1024

    def __init__(self) -> None:
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, "w", compression=zipfile.ZIP_DEFLATED)

    def _take(self) -> bytes:
        data = bytes(self._sink.data)
        self._sink.data.clear()
        return data

    def add(self, name: str, parts: Iterable[str]) -> Iterator[bytes]:
        pending = 0
        with self._zip.open(name, "w") as entry:
            for part in parts:
                encoded = part.encode()
                entry.write(encoded)
                pending += len(encoded)
                if pending >= self.CHUNK:
                    pending = 0
                    if data := self._take():
                        yield data
        if data := self._take():
            yield data

    def close(self) -> Iterator[bytes]:
        self._zip.close()
        yield self._take()
