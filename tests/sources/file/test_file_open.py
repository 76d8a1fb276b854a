"""Open: real gzip and zstd archives, whole, cut short, corrupted and concatenated."""

from __future__ import annotations

import gzip
import os
import sys
import threading
import zlib
from pathlib import Path

import pytest
import zstandard

from tracerun.sources.file import open as file_open
from tracerun.sources.file.open import (
    DamagedArchiveError,
    DecoderMissingError,
    open_log,
)

LINES = b"".join(
    b"2026-03-20T14:%02d:%02dZ INFO line %d request_id=r%d\n"
    % (i // 60 % 60, i % 60, i, i % 7)
    for i in range(20_000)
)


def decode(path: Path) -> tuple[bytes, str | None]:
    """Everything a lenient read hands out, and the damage it reports."""
    with open_log(path, strict=False) as stream:
        data = stream.read()
        damage = getattr(stream, "damage", None)
    return data, None if damage is None else damage.reason


def zlib_recoverable(data: bytes, step: int = 512) -> bytes:
    """What the reference zlib decodes of a damaged gzip fed in small steps."""
    decoder = zlib.decompressobj(31)
    out = bytearray()
    for at in range(0, len(data), step):
        try:
            out += decoder.decompress(data[at : at + step])
        except zlib.error:
            break
    return bytes(out)


def common_prefix(a: bytes, b: bytes) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), 0)


def test_whole_gzip_decodes_with_no_damage(tmp_path: Path) -> None:
    path = tmp_path / "app.log.1.gz"
    path.write_bytes(gzip.compress(LINES, mtime=0))

    assert decode(path) == (LINES, None)


@pytest.mark.parametrize("fraction", [0.001, 0.1, 0.5, 0.9, 0.9999])
def test_gzip_cut_anywhere_hands_out_every_byte_before_the_cut(
    tmp_path: Path, fraction: float
) -> None:
    packed = gzip.compress(LINES, mtime=0)
    cut = packed[: int(len(packed) * fraction)]
    path = tmp_path / "app.log.1.gz"
    path.write_bytes(cut)

    data, damage = decode(path)

    assert LINES.startswith(data)
    assert len(data) >= len(zlib_recoverable(cut, step=1)) - 300
    assert damage == (
        f"compressed data is damaged or truncated after {len(data):,} decompressed "
        "bytes (the archive ends before its compressed data does)"
    )


def test_gzip_corrupted_in_the_middle_keeps_what_decodes_before_it(
    tmp_path: Path,
) -> None:
    packed = bytearray(gzip.compress(LINES, mtime=0))
    middle = len(packed) // 2
    packed[middle : middle + 6] = bytes(b ^ 0x5A for b in packed[middle : middle + 6])
    path = tmp_path / "app.log.1.gz"
    path.write_bytes(packed)

    data, damage = decode(path)

    # Before the decoder notices, a corrupt stream yields some garbage; what is
    # certain is that every byte the reference recovers correctly is there too.
    good = common_prefix(zlib_recoverable(bytes(packed)), LINES)
    assert common_prefix(data, LINES) >= good > len(LINES) // 3
    assert damage is not None
    assert damage.startswith(
        f"compressed data is damaged or truncated after {len(data):,} decompressed "
        "bytes (Error -"
    )


def test_gzip_with_a_bad_checksum_hands_out_all_its_data_then_the_damage(
    tmp_path: Path,
) -> None:
    packed = gzip.compress(LINES, mtime=0)
    path = tmp_path / "app.log.1.gz"
    path.write_bytes(packed[:-8] + bytes([packed[-8] ^ 1]) + packed[-7:])

    assert decode(path) == (
        LINES,
        (
            f"compressed data is damaged or truncated after {len(LINES):,} "
            "decompressed bytes (Error -6 Incorrect checksum found)"
        ),
    )


def test_gzip_magic_then_garbage_is_damaged_at_byte_zero(tmp_path: Path) -> None:
    path = tmp_path / "app.log.2.gz"
    path.write_bytes(b"\x1f\x8b" + bytes(range(256)) * 16)

    data, damage = decode(path)

    assert data == b""
    assert damage is not None
    assert damage.startswith(
        "compressed data is damaged or truncated after 0 decompressed bytes"
    )


def test_concatenated_members_are_read_even_when_one_ends_on_a_block_edge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = gzip.compress(LINES[:5000], mtime=0)
    monkeypatch.setattr(file_open, "RAW_BLOCK", len(first))
    path = tmp_path / "app.log.1.gz"
    path.write_bytes(first + gzip.compress(LINES[5000:], mtime=0))

    assert decode(path) == (LINES, None)


def test_zero_padding_after_the_data_is_no_damage_other_bytes_are(
    tmp_path: Path,
) -> None:
    packed = gzip.compress(LINES, mtime=0)
    padded, trailing = tmp_path / "padded.log.gz", tmp_path / "trailing.log.gz"
    padded.write_bytes(packed + bytes(5000))
    trailing.write_bytes(packed + b"xyz")

    assert decode(padded) == (LINES, None)
    assert decode(trailing) == (
        LINES,
        (
            f"compressed data is damaged or truncated after {len(LINES):,} "
            "decompressed bytes (bytes after the end of the compressed data)"
        ),
    )


def test_strict_read_hands_out_the_good_bytes_then_raises_once(
    tmp_path: Path,
) -> None:
    packed = gzip.compress(LINES, mtime=0)
    path = tmp_path / "app.log.1.gz"
    path.write_bytes(packed[: len(packed) // 2])
    good, _ = decode(path)

    with open_log(path) as stream:
        data = stream.read()
        with pytest.raises(DamagedArchiveError) as raised:
            stream.read(10)
        again = stream.read(10)

    assert (data, again) == (good, b"")
    assert raised.value.hint == (
        "records before the damage were kept; check the archive with gzip -t"
    )


def test_zstd_frames_decode_and_a_cut_or_corrupt_frame_keeps_whole_blocks(
    tmp_path: Path,
) -> None:
    packed = zstandard.ZstdCompressor().compress(LINES)
    whole, cut, bad = (tmp_path / f"{n}.log.zst" for n in ("whole", "cut", "bad"))
    whole.write_bytes(packed)
    cut.write_bytes(packed[: len(packed) // 2])
    corrupt = bytearray(packed)
    corrupt[len(packed) // 2] ^= 0xFF
    bad.write_bytes(corrupt)

    cut_data, cut_damage = decode(cut)
    bad_data, bad_damage = decode(bad)

    assert decode(whole) == (LINES, None)
    assert LINES.startswith(cut_data)
    assert len(cut_data) >= 128 * 1024  # zstd hands out whole blocks
    assert cut_damage == (
        f"compressed data is damaged or truncated after {len(cut_data):,} "
        "decompressed bytes (the archive ends before its compressed data does)"
    )
    assert LINES.startswith(bad_data)
    assert bad_damage == (
        f"compressed data is damaged or truncated after {len(bad_data):,} "
        "decompressed bytes (zstd decompressor error: Data corruption detected)"
    )


def test_zstd_frame_larger_than_a_read_is_handed_out_in_reads(
    tmp_path: Path,
) -> None:
    path = tmp_path / "zeros.log.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(b"0" * 30_000_000))
    target = bytearray(8 * 1024 * 1024)

    with open_log(path) as stream:
        sizes = []
        while got := stream.readinto(memoryview(target)):
            sizes.append(got)

    assert sum(sizes) == 30_000_000
    assert max(sizes) == len(target)


def test_zstd_without_its_package_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "app.log.1.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(LINES[:100]))
    monkeypatch.setitem(sys.modules, "zstandard", None)  # import raises ImportError

    with pytest.raises(DecoderMissingError) as raised, open_log(path):
        pass

    assert (raised.value.reason, raised.value.hint) == (
        "zstd-compressed file, but the zstandard package is not installed",
        "pip install 'tracerun[zstd]'",
    )


def test_a_pipe_cannot_be_decoded_again_and_keeps_the_blocks_before_the_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_open, "RAW_BLOCK", 4096)
    packed = bytearray(gzip.compress(LINES, mtime=0))
    packed[len(packed) // 2] ^= 0xFF
    fifo = tmp_path / "app.log.gz"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_bytes, args=(bytes(packed),))
    writer.start()

    data, damage = decode(fifo)
    writer.join()

    assert common_prefix(data, LINES) > len(LINES) // 3
    assert damage is not None
    assert damage.startswith(
        f"compressed data is damaged or truncated after {len(data):,} decompressed"
    )


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("gz", [False, True])
def test_utf16_text_is_read_as_utf8_without_its_bom(
    tmp_path: Path, encoding: str, gz: bool
) -> None:
    # PowerShell 5.1 `Out-File` (FF FE, UTF-16LE) and `-Encoding BigEndianUnicode`.
    text = "2024-01-01T00:00:00Z é request_id=abc123\r\nzweite Zeile ✓\r\n"
    bom = b"\xff\xfe" if encoding == "utf-16-le" else b"\xfe\xff"
    data = bom + text.encode(encoding)
    path = tmp_path / ("a.log.gz" if gz else "a.log")
    path.write_bytes(gzip.compress(data) if gz else data)

    with file_open.open_log(path) as stream:
        parts = [stream.read(5) for _ in range(3)]
        parts.append(stream.read())
    assert b"".join(parts) == text.encode()
    assert file_open.is_compressed(path)  # read whole: never bisected nor cut
