"""Disk caches of derived results, keyed by everything that produced them.

A cache entry is filed under a key: the SHA-256 of the canonical JSON of a dictionary of
everything the result depends on (its inputs' hashes, its options, a hash of the source of
the modules that compute it without their docstrings and comments, the versions of the
libraries it runs through). Any change to one of them is a miss, so a stored entry never
stands in for a result the current code would not produce. The stored calibrations
(``backtest.claims.calibration_store``, JSON files under results/) are keyed with these
helpers too. The caches in the per-user folder ``user_cache_dir()`` use it: the validated raw data files
(``backtest.data.validation.read_validated``) and the NYSE sessions
(``backtest.data.calendar``).

The per-user folder is ``$BACKTEST_CACHE_DIR`` if set (``off`` disables those caches), else
``$XDG_CACHE_HOME/backtest/validated`` or ``~/.cache/backtest/validated``; a home (or
``$XDG_CACHE_HOME``) that is not an existing folder means no cache, never a created home.
An entry is one Arrow IPC file (``.arrow``): a table of plain columns plus, in its schema
metadata, a JSON record of the parameters it was computed under and the rest of the value.
Reading one never runs code (no pickle: a crafted file in the folder is data, not a
program), is bounded (``backtest.files.CACHE_ENTRY``), and anything wrong with a file
(unreadable, truncated, foreign, other parameters) makes it a miss, never an error.
Entries are written atomically (temporary sibling + ``os.replace``), one file per key, and
a folder that cannot be written means no cache, silently. Entries dated by a run day give
way to the next day's (``remove_earlier_entries``); nothing else is ever deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backtest.files import CACHE_ENTRY, read_bytes

if TYPE_CHECKING:
    import pyarrow as pa

CACHE_DIR_ENV_VAR = "BACKTEST_CACHE_DIR"
DISABLE_VALUE = "off"
"""``BACKTEST_CACHE_DIR=off``: no per-user cache is read or written."""
USER_CACHE_SUBDIR = ("backtest", "validated")
ENTRY_SUFFIX = ".arrow"
"""Every per-user cache entry is an Arrow IPC file."""
ENTRY_FORMAT = "backtest-cache-entry/1"
_RECORD_KEY = b"backtest.cache"
"""The schema-metadata key of an entry's JSON record (format, parameters, value)."""


def user_cache_dir() -> Path | None:
    """The per-user cache folder, or None when caching is off or there is no usable home.

    ``$BACKTEST_CACHE_DIR`` (used as given; ``off`` for no cache), else
    ``$XDG_CACHE_HOME/backtest/validated`` (an absolute ``XDG_CACHE_HOME`` only, as the XDG
    specification says), else ``~/.cache/backtest/validated``. Not created here; the
    folder it derives from (``$XDG_CACHE_HOME``, else the home) must already be a folder: a
    home that is unset, missing or a file means no cache, and no home is ever created.
    """
    value = os.environ.get(CACHE_DIR_ENV_VAR, "").strip()
    if value:
        return None if value.lower() == DISABLE_VALUE else Path(value).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():
        return Path(xdg).joinpath(*USER_CACHE_SUBDIR) if Path(xdg).is_dir() else None
    home = usable_home()
    return None if home is None else home.joinpath(".cache", *USER_CACHE_SUBDIR)


def usable_home() -> Path | None:
    """The user's home folder if it is an existing folder given as an absolute path; None
    when ``HOME`` (or, unset, the password entry) names nothing usable: a missing path, a
    file, a relative path."""
    try:
        home = Path.home()
    except (RuntimeError, KeyError):  # no HOME and no password entry
        return None
    return home if home.is_absolute() and home.is_dir() else None


def contain_library_caches() -> None:
    """Without a usable home, point matplotlib's config and cache folder (``MPLCONFIGDIR``,
    unless set) at a private temporary folder removed at exit. Otherwise matplotlib creates
    ``$HOME/.config/matplotlib`` and ``$HOME/.cache/matplotlib`` (a home where there was
    none), or warns on stderr that it could not. Call it before matplotlib is imported."""
    if os.environ.get("MPLCONFIGDIR") or usable_home() is not None:
        return
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="backtest-matplotlib-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ["MPLCONFIGDIR"] = folder


def source_digest(files: Iterable[Path], root: Path) -> str:
    """SHA-256 (hex) of the code of the given source files: each one's path relative to
    ``root`` and its code without prose (``code_without_prose``), in the order given. Editing a
    docstring or a comment keeps every key; editing code changes it. Raises ``OSError`` when a
    file cannot be read."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(code_without_prose(path.read_bytes()))
        digest.update(b"\0")
    return digest.hexdigest()


def code_without_prose(source: bytes) -> bytes:
    """Python source without its docstrings (every statement that is a bare string: module,
    class, function and attribute docstrings), its comments, trailing blanks and blank lines.
    Spans come from ``ast`` (byte offsets) and ``tokenize`` (comments), so the result is the
    same on every Python version that parses the file; a file that does not parse is returned
    as is."""
    import ast
    import io
    import tokenize

    try:
        tree = ast.parse(source)
        comments = [
            (token.start, token.end)
            for token in tokenize.tokenize(io.BytesIO(source).readline)
            if token.type == tokenize.COMMENT
        ]
    except (SyntaxError, tokenize.TokenError, ValueError):
        return source
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(row: int, column_bytes: int) -> int:
        return starts[row - 1] + column_bytes

    spans = [
        (offset(node.lineno, node.col_offset), offset(node.end_lineno or node.lineno, node.end_col_offset or 0))
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    ]
    for (row, column), (end_row, end_column) in comments:  # tokenize counts characters, ast bytes
        text = lines[row - 1].decode("utf-8", "replace")
        spans.append((offset(row, len(text[:column].encode())), offset(end_row, len(text[:end_column].encode()))))
    kept, position = [], 0
    for start, end in sorted(spans):
        if start >= position:
            kept.append(source[position:start])
            position = end
    kept.append(source[position:])
    code = b"".join(kept).splitlines()
    return b"\n".join(line.rstrip() for line in code if line.strip()) + b"\n"


def package_versions(names: Iterable[str], missing: str = "absent") -> dict[str, str]:
    """Installed version of each distribution (``missing`` when not installed); nothing is imported."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = missing
    return versions


def python_version() -> str:
    """The interpreter, e.g. "CPython 3.11.7" (floats' repr and hashing depend on it)."""
    return f"{platform.python_implementation()} {platform.python_version()}"


def key_of(parameters: Mapping[str, object]) -> str:
    """SHA-256 (hex) of the canonical JSON of ``parameters`` (sorted keys, no spaces)."""
    text = json.dumps(parameters, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def read_entry(path: Path, parameters: Mapping[str, object]) -> tuple[dict[str, Any], pa.Table] | None:
    """(value, table) of the entry in ``path`` if it was stored under exactly ``parameters``;
    None (a miss) otherwise.

    ``value`` is the JSON record given to ``write_entry`` (lists where tuples were given),
    ``table`` the Arrow table, checked in full (``validate(full=True)``) and without the
    record. Any failure is a miss: a missing, oversized, truncated or corrupt file, one
    written by something else (a pickle is data here: nothing in the file is ever run).
    """
    import pyarrow as pa

    try:
        data = read_bytes(path, CACHE_ENTRY)
        with pa.ipc.open_file(pa.BufferReader(data)) as reader:
            table = reader.read_all()
        table.validate(full=True)
        record = json.loads((table.schema.metadata or {})[_RECORD_KEY])
    except Exception:  # whatever a damaged or foreign file raises, it is only a miss
        return None
    expected = json.loads(json.dumps(parameters))  # as stored: tuples become lists
    if not (
        isinstance(record, dict)
        and record.get("format") == ENTRY_FORMAT
        and record.get("parameters") == expected
        and isinstance(record.get("value"), dict)
    ):
        return None
    return record["value"], table.replace_schema_metadata(None)


def write_entry(path: Path, parameters: Mapping[str, object], value: Mapping[str, object], table: pa.Table) -> bool:
    """Store ``table`` with the JSON record of ``parameters`` and ``value`` in ``path``
    atomically; False (and nothing left behind) when it cannot be encoded or the folder
    cannot be created or written. Only ``path`` and its temporary sibling are touched."""
    import pyarrow as pa

    from backtest._io import atomic_write_bytes

    try:
        record = json.dumps({"format": ENTRY_FORMAT, "parameters": parameters, "value": value}, sort_keys=True)
        table = table.replace_schema_metadata({_RECORD_KEY: record.encode()})
        sink = pa.BufferOutputStream()
        with pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        data = sink.getvalue().to_pybytes()
        path.parent.mkdir(parents=True, exist_ok=True)
        # no fsync: a file torn by a crash fails to read and is only a miss
        atomic_write_bytes(path, data, fsync=False)
    except (OSError, TypeError, ValueError, pa.ArrowException):
        return False
    return True


LEGACY_SUFFIXES = (".pickle",)
"""Entries of earlier versions (pickles, never read now): removed like outdated entries."""


def remove_earlier_entries(
    folder: Path, stem: str, day: str, suffixes: tuple[str, ...] = (ENTRY_SUFFIX, *LEGACY_SUFFIXES)
) -> None:
    """Delete the entries ``<stem>-<YYYY-MM-DD>-<hex key><suffix>`` of ``folder`` dated before
    ``day`` (ISO): a day's entry never serves a later day, so without this the folder would
    grow by one entry per file and day. Only names of exactly that pattern are touched, and a
    file that cannot be removed stays (never an error)."""
    endings = "|".join(re.escape(suffix) for suffix in suffixes)
    pattern = re.compile(rf"{re.escape(stem)}-(\d{{4}}-\d{{2}}-\d{{2}})-[0-9a-f]+(?:{endings})")
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        match = pattern.fullmatch(name)
        if match and match.group(1) < day:
            try:
                os.remove(folder / name)
            except OSError:
                pass
