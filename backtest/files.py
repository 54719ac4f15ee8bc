"""Bounded, checked reads of every file the tool is handed: one function, one table of limits.

Input: a path and its kind (``SERIES_CSV``, ``CLAIM_SPEC``, ...). Output: the file's bytes,
or one ``BacktestError`` line naming the path, the kind, and what is wrong (not found, not a
regular file, over the kind's size limit, unreadable). Nothing is read before the checks: a
device (``/dev/zero``), a FIFO, a socket or a directory is refused from its ``stat``, a file
larger than its limit from its size, and the read itself never takes more than limit + 1
bytes, so a file that grows meanwhile is still bounded. Opening never blocks (``O_NONBLOCK``:
a FIFO swapped in after the check is seen by ``fstat`` on the open descriptor and refused).
Parsers (pandas, tomllib, json, pyarrow) then work on the bytes in memory.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass

from backtest.errors import BacktestError, DataError

KiB = 1024
MiB = 1024 * KiB


@dataclass(frozen=True)
class FileKind:
    """A kind of input file: what messages call it (``label``, and ``noun`` in "<noun> not
    found") and the largest size accepted (``limit``, bytes)."""

    label: str
    limit: int
    noun: str = "file"


# -- the limits, in one place ------------------------------------------------------------------
# Each is far above any real file of its kind and far below what would strain the machine
# (the parsers hold a few copies of the bytes at once), so a refusal always means "not the
# file you meant", never "your data are too long".

SERIES_CSV = FileKind("series CSV", 64 * MiB)
"""A daily price file. A century of daily OHLCV bars is ~25,000 rows of ~90 bytes (2.3 MB;
the snapshot's largest file, ^RUT's bars since 1987, is 0.9 MB): 64 MiB is 28 centuries."""
FETCH_RECORD = FileKind("fetch record", 64 * KiB)
"""The JSON sidecar ``backtest data fetch`` writes beside a CSV (a few hundred bytes)."""
SERIES_LIST = FileKind("series list", 1 * MiB, noun="series file")
"""``--series-file``: one series name or CSV path per line; 1 MiB is ~10,000 paths."""
DATES_CSV = FileKind("dates CSV", 8 * MiB, noun="dates file")
"""``--dates`` and a spec's ``[event] file``: one date a row (11 bytes). Every calendar day
of 200 years with a few columns of notes is under 4 MB."""
CLAIM_SPEC = FileKind("claim spec", 256 * KiB, noun="spec file")
"""A TOML claim spec; the largest shipped spec and the commented template are ~5 KB."""
BUILTIN_TABLE = FileKind("built-in closes table", 64 * MiB)
"""``closes.parquet`` of the built-in dataset (1.4 MB for 23 series)."""
BUILTIN_PROVENANCE = FileKind("built-in provenance record", 1 * MiB)
"""``provenance.json`` of the built-in dataset (about 350 KB for 23 series: each raw file's
validation report is recorded in it)."""
CHECKSUM_LIST = FileKind("checksum list", 1 * MiB)
"""A snapshot's ``SHA256SUMS``: one 64-digit hash and a path per line (~100 bytes a file)."""
CACHE_ENTRY = FileKind("cache entry", 256 * MiB)
"""One per-user cache entry (``backtest.cache``): the validated frame of a series CSV at its
limit is ~36 MB of float64, plus its report, which may list every row. Over it is a miss."""
CALIBRATION = FileKind("stored calibration", 16 * MiB)
"""A calibration under ``results/calibration/`` (~20 KB of JSON)."""
MANIFEST = FileKind("report manifest", 16 * MiB)
"""``.backtest-manifest.json``: one path and SHA-256 per file of a report (~100 bytes each)."""


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1024 * MiB), ("MiB", MiB), ("KiB", KiB)):
        if n >= scale:
            return f"{n // scale} {unit}" if n % scale == 0 else f"{n / scale:.1f} {unit}"
    return f"{n:,} bytes"


def _not_regular(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, words in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return words
    return "not a regular file"


def check_file(
    path: str | os.PathLike[str],
    kind: FileKind,
    *,
    error: type[BacktestError] = DataError,
    missing_error: type[BacktestError] | None = None,
) -> os.stat_result:
    """The ``stat`` of ``path`` if it is a regular file within ``kind``'s limit; otherwise
    raise ``error`` (``missing_error`` when it does not exist, a dangling symbolic link
    included) with one line naming the path, the kind and the problem. Reads nothing."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise _missing(path, kind, missing_error or error) from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {kind.label} ({_reason(exc)})") from None
    _check_stat(path, kind, info, error)
    return info


def read_bytes(
    path: str | os.PathLike[str],
    kind: FileKind,
    *,
    error: type[BacktestError] = DataError,
    missing_error: type[BacktestError] | None = None,
) -> bytes:
    """The bytes of ``path``, checked and bounded as ``kind`` says (see the module's
    docstring); every refusal is ``error`` (``missing_error`` for a missing file) with one
    line naming the path, its kind, and its size and the limit where size is the problem."""
    check_file(path, kind, error=error, missing_error=missing_error)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):  # removed since the check
        raise _missing(path, kind, missing_error or error) from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {kind.label} ({_reason(exc)})") from None
    try:
        info = os.fstat(fd)  # what was opened, which may not be what was checked
        _check_stat(path, kind, info, error)
        chunks, total = [], 0
        # the size first (one read for a file at rest), then on to the limit if it grew
        want = min(info.st_size, kind.limit) + 1
        while total <= kind.limit:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            want = min(MiB, kind.limit + 1 - total)
    except OSError as exc:
        raise error(f"{path}: cannot read the {kind.label} ({_reason(exc)})") from None
    finally:
        os.close(fd)
    if total > kind.limit:
        raise error(f"{path}: the {kind.label} grew past the {_size(kind.limit)} limit of a {kind.label} while read")
    return b"".join(chunks)


def read_text(
    path: str | os.PathLike[str],
    kind: FileKind,
    *,
    error: type[BacktestError] = DataError,
    missing_error: type[BacktestError] | None = None,
) -> str:
    """``read_bytes`` decoded as UTF-8 (a byte-order mark is dropped); text that is not
    UTF-8 is ``error`` too, naming the line of the first bad byte, never its content."""
    data = read_bytes(path, kind, error=error, missing_error=missing_error)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"{path}: the {kind.label} is not UTF-8 text (line {line})") from None


def _check_stat(path: str | os.PathLike[str], kind: FileKind, info: os.stat_result, error: type[BacktestError]) -> None:
    what = _not_regular(info.st_mode)
    if what is not None:
        raise error(f"{path}: the {kind.label} is {what}, not a regular file")
    if info.st_size > kind.limit:
        size = _size(info.st_size)
        exact = "" if size.endswith(" bytes") else f" ({info.st_size:,} bytes)"
        raise error(f"{path}: the {kind.label} is {size}{exact}, over the {_size(kind.limit)} limit of a {kind.label}")


def _missing(path: str | os.PathLike[str], kind: FileKind, error: type[BacktestError]) -> BacktestError:
    dangling = os.path.islink(path)
    return error(f"{path}: {kind.noun} not found" + (" (a symbolic link to a missing target)" if dangling else ""))


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "a name in the path is too long"
    return exc.strerror or type(exc).__name__
