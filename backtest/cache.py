"""Disk caches of derived results, keyed by everything that produced them.

A cache entry is filed under a key: the SHA-256 of the canonical JSON of a dictionary of
everything the result depends on (its inputs' hashes, its options, a hash of the source of
the modules that compute it, the versions of the libraries it runs through). Any change to
one of them is a miss, so a stored entry never stands in for a result the current code
would not produce. The stored calibrations (``backtest.stats.calibration_cache``, JSON
files under results/) are keyed with these helpers too. The caches in the per-user folder ``user_cache_dir()`` use it: the validated raw data files
(``backtest.data.validation.read_validated``) and the NYSE sessions
(``backtest.data.calendar``).

The per-user folder is ``$BACKTEST_CACHE_DIR`` if set (``off`` disables those caches), else
``$XDG_CACHE_HOME/backtest/validated`` or ``~/.cache/backtest/validated``. Entries are
written atomically (temporary sibling + ``os.replace``), one file per key; anything wrong
with a file (unreadable, truncated, foreign) makes it a miss, never an error, and a folder
that cannot be written means no cache, silently. Entries dated by a run day give way to the
next day's (``remove_earlier_entries``); nothing else is ever deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import platform
import re
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

CACHE_DIR_ENV_VAR = "BACKTEST_CACHE_DIR"
DISABLE_VALUE = "off"
"""``BACKTEST_CACHE_DIR=off``: no per-user cache is read or written."""
USER_CACHE_SUBDIR = ("backtest", "validated")


def user_cache_dir() -> Path | None:
    """The per-user cache folder, or None when caching is off (or no home is known).

    ``$BACKTEST_CACHE_DIR`` (used as given; ``off`` for no cache), else
    ``$XDG_CACHE_HOME/backtest/validated`` (an absolute ``XDG_CACHE_HOME`` only, as the XDG
    specification says), else ``~/.cache/backtest/validated``. Not created here.
    """
    value = os.environ.get(CACHE_DIR_ENV_VAR, "").strip()
    if value:
        return None if value.lower() == DISABLE_VALUE else Path(value).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():
        root = Path(xdg)
    else:
        try:
            root = Path.home() / ".cache"
        except (RuntimeError, KeyError):  # no HOME and no password entry
            return None
    return root.joinpath(*USER_CACHE_SUBDIR)


def source_digest(files: Iterable[Path], root: Path) -> str:
    """SHA-256 (hex) of the given source files: each one's path relative to ``root`` and its
    bytes, in the order given. Raises ``OSError`` when a file cannot be read."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


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
    """The interpreter, e.g. "CPython 3.11.7" (pickles and floats' repr depend on it)."""
    return f"{platform.python_implementation()} {platform.python_version()}"


def key_of(parameters: Mapping[str, object]) -> str:
    """SHA-256 (hex) of the canonical JSON of ``parameters`` (sorted keys, no spaces)."""
    text = json.dumps(parameters, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def read_entry(path: Path) -> object | None:
    """The object pickled in ``path``, or None when there is none or it cannot be read.

    Any failure is a miss: a missing, truncated or corrupt file, or one written by something
    else. (Unpickling runs code named in the file: the folder must be the user's own.)
    """
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except Exception:  # whatever a damaged file raises, it is only a miss
        return None


def write_entry(path: Path, value: object) -> bool:
    """Pickle ``value`` into ``path`` atomically; False (and nothing left behind) when the
    folder cannot be created or written. Only ``path`` and its temporary sibling are touched."""
    from backtest._io import atomic_write_bytes

    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        # no fsync: a file torn by a crash fails to unpickle and is only a miss
        atomic_write_bytes(path, data, fsync=False)
    except (OSError, pickle.PicklingError):
        return False
    return True


def remove_earlier_entries(folder: Path, stem: str, day: str, suffix: str = ".pickle") -> None:
    """Delete the entries ``<stem>-<YYYY-MM-DD>-<hex key><suffix>`` of ``folder`` dated before
    ``day`` (ISO): a day's entry never serves a later day, so without this the folder would
    grow by one entry per file and day. Only names of exactly that pattern are touched, and a
    file that cannot be removed stays (never an error)."""
    pattern = re.compile(rf"{re.escape(stem)}-(\d{{4}}-\d{{2}}-\d{{2}})-[0-9a-f]+{re.escape(suffix)}")
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
