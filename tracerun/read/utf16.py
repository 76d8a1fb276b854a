"""UTF-16: a log's first bytes → whether it is UTF-16 text; its bytes → the text as UTF-8.

Why below the sources: a local file (sources/file/open.py) and a remote one
its host sent whole (sources/ssh/whole.py) are told and transcoded alike, so
both are searched as the same text.
"""

from __future__ import annotations

import codecs

from tracerun.read.scan import Readable

UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
"""Byte order marks of UTF-16 text: Windows PowerShell 5.1's `Out-File` and `>`
write UTF-16LE (FF FE) by default; `-Encoding BigEndianUnicode` FE FF."""
UTF16_PROBE = 512
"""How many first bytes tell UTF-16 text (its BOM, then mostly ASCII characters)."""
BLOCK = 1024 * 1024
"""Bytes read from the UTF-16 stream at a time."""


def utf16(head: bytes) -> str | None:
    """Tell UTF-16 text by its BOM and first characters: the encoding, or None.

    Why more than the BOM: FF FE may also open a UTF-8 file's garbage first
    line, and reading that file as UTF-16 would lose all of it. A log's UTF-16
    text is mostly ASCII (times, keys, ids): at least a quarter of the
    characters after the BOM are, where UTF-8 bytes read as UTF-16 give
    almost none (an ASCII character needs a NUL byte).
    """
    encoding = UTF16_BOMS.get(head[:2])
    if encoding is None:
        return None
    body = head[2:UTF16_PROBE]
    text = body[: len(body) // 2 * 2].decode(encoding, "replace")
    plain = sum(char < "\x80" for char in text)
    return encoding if 4 * plain >= len(text) else None


class Transcoded:
    """UTF-16 text read as UTF-8, so that the needle search sees the text's bytes.

    Why here, at the open: the scan searches raw bytes for the UTF-8 needles,
    so a UTF-16 file matched nothing, silently. Newlines map one to one, so
    line numbers stay exact; byte offsets are the UTF-8 stream's, which is why
    such a file counts as compressed (`is_compressed`): it is read whole, never
    bisected by time nor cut into ranges. The BOM is dropped; a lone surrogate
    becomes U+FFFD. The follow reader transcodes the same way
    (sources/file/tail.py), and so does a remote file its host sent whole
    (sources/ssh/whole.py).
    """

    def __init__(self, inner: Readable, encoding: str) -> None:
        self._inner = inner
        self._decoder = codecs.getincrementaldecoder(encoding)("replace")
        self._bom = True  # the BOM is still to be dropped
        self._out = b""
        self._end = False

    @property
    def damage(self) -> BaseException | None:
        """The archive's damage, when the UTF-16 text was compressed (its reader's)."""
        return getattr(self._inner, "damage", None)

    @property
    def cut(self) -> bool:
        """Tell whether the bytes end early (a damaged archive)."""
        return self.damage is not None

    def read(self, size: int = -1) -> bytes:
        """Return `size` bytes of UTF-8 (all when negative); fewer only at the end."""
        while not self._end and (size < 0 or len(self._out) < size):
            raw = self._inner.read(BLOCK)
            text = self._decoder.decode(raw, final=not raw)
            if self._bom and text:
                text, self._bom = text.removeprefix("\ufeff"), False
            self._out += text.encode()
            self._end = not raw
        if size < 0:
            data, self._out = self._out, b""
        else:
            data, self._out = self._out[:size], self._out[size:]
        return data
