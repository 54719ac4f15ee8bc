"""Safe file output: single files written atomically, report folders that never lose a file.

Single files (``atomic_write_bytes``) go to a temporary sibling and are moved into place
with ``os.replace``: a reader sees the old complete file or the new one, never half of one.

Report folders (``report_directory``) follow one mechanism, stage -> lock -> exchange:

1. **Mark.** Every folder the tool writes holds ``.backtest-manifest.json``: tool, format
   version, kind ("study", "sweep", "multi-sweep", "claim"), the report's name and the sorted
   relative path and SHA-256 of every file written. No timestamps, no absolute paths, so
   a regenerated report (manifest included) is byte-identical to the committed one. The
   tool replaces only a folder carrying its marker, of the same kind and name (another
   kind or name needs ``overwrite``), and inside it replaces only the files the manifest
   lists: files a user added survive, the same inodes. A non-empty folder without a
   marker is refused, ``overwrite`` or not.
2. **Stage.** The new report is written into ``.<name>.<random>.partial`` beside the
   target. It holds ``.backtest-staging``, a file its writer keeps ``flock``-ed while
   writing, so any later run can tell a live writer from a dead one's debris exactly
   (the kernel drops the lock when a process dies, even by SIGKILL). An exception or
   Ctrl-C here removes the staging folder; the old report is never touched.
3. **Commit, under a lock.** With an exclusive ``flock`` on the parent folder (no lock
   file to leave behind): remove stale debris of this report (staging folders whose
   writer is gone; said on one line on stderr), re-check the target, hard-link every
   file the user added to the old folder into the staging folder, then swap the two
   folders in one ``renameat2(RENAME_EXCHANGE)`` call: the target is never missing
   and never a mix. The old report, now in the staging path, is deleted after moving
   back anything that appeared in it in the meantime. Where the kernel or filesystem
   cannot exchange, two renames through ``.<name>.<random>.old`` are used instead and
   the next run restores that backup if it was interrupted between them.

Two writers finishing at once commit one after the other; the last complete one wins.
``preflight`` runs the same target checks before any data is loaded or computed, and
probes writability by creating and removing a file (root ignores permission bits).

A listed file whose bytes no longer match the manifest was edited after the tool wrote it:
the commit keeps that version beside the new one (``<name>.edited-<hash>``) and says so in
one ``warning:`` line. A write the filesystem refuses (disk full, file too large, name too
long) becomes ``OutputWriteError`` naming the report; the staging folder is removed and the
previous report is left as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from backtest.errors import BacktestError, OutputError, OutputWriteError
from backtest.files import MANIFEST, read_text

try:
    import fcntl
except ImportError:  # Windows has no flock: see _locked and _is_held
    fcntl = None  # type: ignore[assignment]

TOOL = "backtest"
MANIFEST_FILE = ".backtest-manifest.json"
MANIFEST_FORMAT = 1
STAGING_MARKER = ".backtest-staging"
REPORT_KINDS = ("study", "sweep", "multi-sweep", "claim")
"""Kinds of folders the tool writes."""

_OVERWRITE: ContextVar[bool] = ContextVar("backtest_overwrite", default=False)
"""``--overwrite`` of the running command. A context variable rather than a parameter so
that study scripts, which call the writers, need no option for it."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, fsync: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (temp file in the same directory + rename).

    fsync: flush the data to disk before the rename (False for caches, where a file torn by
    a power cut is only a miss). An ``OSError`` names ``path``."""
    target = Path(path)
    atomic_write_files({target: data}, fsync=fsync)
    return target


def atomic_write_files(contents: Mapping[Path, bytes], *, fsync: bool = True) -> None:
    """Write several files that belong together (a table and its record): each goes to a
    temp sibling first, and only once every one is complete are they renamed into place,
    so a full disk or an interrupt leaves all the old files, never a mix of old and new."""
    staged: list[tuple[str, Path]] = []
    try:
        for target, data in contents.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            staged.append((tmp_name, target))
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    if fsync:
                        handle.flush()
                        os.fsync(handle.fileno())
            except OSError as error:
                # write(), fsync() and close() name no file: name the target, for the one-line message
                raise OSError(error.errno, error.strerror, str(target)) from error
            # mkstemp creates 0600; results are ordinary files (0644 under the usual umask)
            os.chmod(tmp_name, 0o666 & ~_umask())
        for tmp_name, target in staged:
            os.replace(tmp_name, target)
    except BaseException:
        for tmp_name, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
        raise


def exclusive_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Create ``path`` holding ``data``, complete or not at all, and never replace a file:
    the bytes go to a temp sibling, which is then hard-linked to ``path`` (``FileExistsError``
    if something is there by then) and unlinked. A full disk leaves no partial file."""
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            raise OSError(error.errno, error.strerror, str(target)) from error
        os.chmod(tmp_name, 0o666 & ~_umask())
        os.link(tmp_name, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 text atomically; newlines are written as ``\\n`` on every platform."""
    return atomic_write_bytes(path, text.encode("utf-8"))


WRITE_FAILURES = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EFBIG: "the file is larger than this process may write (ulimit -f)",
    errno.ENAMETOOLONG: "a name is longer than the filesystem allows",
}
"""The errors with which a filesystem refuses an output the tool may legitimately write,
as the one-line reason the CLI prints (exit status 4, ``OutputWriteError``)."""


def write_failure(error: BaseException, target: str | os.PathLike[str] | None = None) -> OutputWriteError | None:
    """``OutputWriteError`` for an ``OSError`` of ``WRITE_FAILURES`` (naming ``target``, else
    the error's file), or None for any other error."""
    if not isinstance(error, OSError) or error.errno not in WRITE_FAILURES:
        return None
    where = target if target is not None else error.filename
    reason = WRITE_FAILURES[error.errno]
    return OutputWriteError(f"cannot write {where if where is not None else 'the output'}: {reason}")


# --- manifests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    """What ``.backtest-manifest.json`` says: the report's kind and name and every file
    it wrote (relative POSIX path -> SHA-256 hex digest)."""

    kind: str
    name: str
    files: dict[str, str]

    def to_json(self) -> str:
        payload = {
            "tool": TOOL,
            "format": MANIFEST_FORMAT,
            "kind": self.kind,
            "name": self.name,
            "files": dict(sorted(self.files.items())),
        }
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"

    def describe(self) -> str:
        return f"a {self.kind} report named {self.name!r}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tree_files(root: Path) -> list[str]:
    """Relative POSIX paths of every non-directory entry under ``root`` (symlinks not followed)."""
    found = []
    for folder, dirnames, filenames in os.walk(root):
        base = Path(folder).relative_to(root)
        found += [(base / name).as_posix() for name in filenames]
        found += [(base / name).as_posix() for name in dirnames if os.path.islink(os.path.join(folder, name))]
    return sorted(found)


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest of ``folder``, or None when it has none (or one we cannot read as ours)."""
    try:
        payload = json.loads(read_text(folder / MANIFEST_FILE, MANIFEST))
    except (BacktestError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("tool") != TOOL or not isinstance(payload.get("files"), dict):
        return None
    return Manifest(kind=str(payload.get("kind")), name=str(payload.get("name")), files=dict(payload["files"]))


# --- checks -----------------------------------------------------------------------------------


def _listing(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(sorted(names)[:limit])
    return shown + (", …" if len(names) > limit else "")


def _check_report_folder(target: Path, kind: str, name: str, overwrite: bool, hint: str) -> Manifest | None:
    """The manifest of an existing target folder we may replace, None if there is none;
    raises OutputError if the target must not be replaced."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise OutputError(f"{target} is a file, not a folder: a report folder goes there; {hint}")
    if not target.exists():
        return None
    manifest = read_manifest(target)
    if manifest is None:
        entries = [entry.name for entry in target.iterdir()]
        if not entries:
            return None
        raise OutputError(
            f"{target} holds {len(entries)} entr{'y' if len(entries) == 1 else 'ies'} not written by "
            f"backtest: {_listing(entries)}; {hint}"
        )
    if (manifest.kind, manifest.name) != (kind, name) and not overwrite:
        raise OutputError(
            f"{target} holds {manifest.describe()}, not a {kind} report named {name!r}; pass "
            f"--overwrite to replace its files or {hint}"
        )
    return manifest


def _probe_writable(folder: Path) -> None:
    """Create and remove a file in ``folder``: permission bits alone do not stop root."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".backtest-probe.", dir=folder)
    except OSError as error:
        raise OutputError(f"cannot write in {folder}: {error.strerror or error}") from None
    os.close(fd)
    os.unlink(probe)


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(path.anchor or ".")


def _check_name_lengths(path: Path, existing: Path, extra: int) -> None:
    """Refuse a path with a component longer than the filesystem allows, before any work
    (``extra``: what the staging name adds to the last component: ``.<name>.<random>.partial``)."""
    try:
        limit = os.pathconf(existing if existing.is_dir() else existing.parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255  # NAME_MAX of every common Linux filesystem
    parts = path.parts
    for number, part in enumerate(parts):
        length = len(os.fsencode(part)) + (extra if number == len(parts) - 1 else 0)
        if part not in (path.anchor, "..", ".") and length > limit:
            shown = part if len(part) <= 40 else part[:40] + "…"
            raise OutputWriteError(
                f"cannot write {shown!r} in {path.parent if number == len(parts) - 1 else Path(*parts[:number])}: "
                f"a name is longer than the filesystem allows ({length} bytes"
                + (" with backtest's staging prefix and suffix" if extra and number == len(parts) - 1 else "")
                + f", limit {limit}); choose a shorter name"
            )


def _json_keys(head: bytes) -> set[str]:
    try:
        payload = json.loads(head)
    except ValueError:
        return set()
    return set(payload) if isinstance(payload, dict) else set()


def _parquet_columns(head: bytes) -> list[str]:
    """The column names of a whole Parquet file's bytes ([] for anything else, a cut-off
    file included: its footer, which holds the schema, is missing)."""
    if not (head.startswith(b"PAR1") and head.endswith(b"PAR1")):
        return []
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        return list(pq.read_schema(pa.BufferReader(head)).names)
    except Exception:  # whatever a damaged or foreign file raises, it is not ours
        return []


FILE_RECOGNISERS: dict[str, Callable[[bytes], bool]] = {
    # the event table always opens with these columns (EventStudy.to_frame)
    "events-csv": lambda head: head.startswith(b"event,event_date,"),
    # each benchmark's JSON by keys no other file of ours has
    "bench-montecarlo": lambda head: {"benchmark", "random_entry", "bootstrap_indices"} <= _json_keys(head),
    "bench-sweep": lambda head: {"grid_vs_vectorbt", "machine"} <= _json_keys(head),
    "bench-scaling": lambda head: {"multi_series", "machine"} <= _json_keys(head),
    "bench-study": lambda head: {"benchmark", "study", "cold_s", "warm_s"} <= _json_keys(head),
    "bench-claim": lambda head: {"benchmark", "claims", "run_all", "robustness_panel", "reference"} <= _json_keys(head),
    "bench-universe": lambda head: {"benchmark", "universe", "in_process"} <= _json_keys(head),
    # the benchmarks' page (backtest.bench.page): an HTML page titled as theirs
    "bench-page": lambda head: (
        head.startswith(b"<!DOCTYPE html>") and b"<title>backtest benchmarks</title>" in head[:8192]
    ),
    # the calibration table (backtest calibrate --output) opens with its fixed columns
    "calibration-csv": lambda head: head.startswith(b"null_model,test,horizon,effect,rejection_rate,"),
    # the gallery's index (backtest.claims.gallery.index_markdown) opens with its title
    "gallery-index": lambda head: head.startswith(b"# Claims gallery\n"),
    # the built-in dataset (backtest.data.builtin): the tidy table and its provenance record
    "builtin-table": lambda head: _parquet_columns(head)[:2] == ["file", "date"],
    "builtin-provenance": lambda head: (
        {"format", "description", "snapshot", "validation", "series"} <= _json_keys(head)
    ),
}
"""Single-file kinds, and how to recognise a file the tool wrote from its bytes (the files
carry no marker: their formats are fixed, so their content is the signature)."""


def preflight(
    target: str | os.PathLike[str],
    kind: str,
    *,
    name: str | None = None,
    overwrite: bool | None = None,
    hint: str = "choose another output folder",
) -> Path:
    """Check, before any work, that ``target`` can be written: raise ``OutputError`` if not.

    kind: a report kind (``REPORT_KINDS``: ``target`` is a report folder) or a single-file
    kind (``FILE_RECOGNISERS``). The nearest existing ancestor must be a folder we can
    create files in; a report folder must be absent, empty, or marked by the tool with the
    same kind and name (another kind or name needs ``overwrite``); a single file must be
    absent or recognisably written by the tool (else ``overwrite``). Creates nothing.
    hint: how to choose another output, ending the message (e.g. "choose another --output-dir").
    """
    path = Path(target)
    overwrite = _OVERWRITE.get() if overwrite is None else overwrite
    existing = _nearest_existing(path)
    # the staging sibling: ".<name>." + 8 random characters + ".partial" (folders) or ".tmp"
    _check_name_lengths(path, existing, 18 if kind in REPORT_KINDS else 14)
    if existing != path or not os.path.lexists(path):
        if not existing.is_dir():
            raise OutputError(f"{existing} is a file, not a folder, so {path} cannot be created; {hint}")
        _probe_writable(existing)
    if kind in REPORT_KINDS:
        _check_report_folder(path, kind, name or path.name, overwrite, hint)
        if path.is_dir():
            _probe_writable(path.parent)
    elif kind in FILE_RECOGNISERS:
        if path.is_dir():
            raise OutputError(f"{path} is a folder, not a file; {hint}")
        if path.is_symlink() and not path.exists():
            if not overwrite:
                raise OutputError(
                    f"{path} is a symbolic link to {os.readlink(path)}, which does not exist; pass --overwrite "
                    f"to replace the link itself with the file or {hint}"
                )
        elif os.path.lexists(path) and not path.is_file():
            # a FIFO would block the check's read, and replacing a device node (/dev/null) is never wanted
            raise OutputError(f"{path} is not a regular file (a device, FIFO or socket); {hint}")
        if os.path.lexists(path):
            _probe_writable(path.parent)
            if not overwrite:
                with open(path, "rb") as handle:
                    head = handle.read(1 << 22)
                if not FILE_RECOGNISERS[kind](head):
                    raise OutputError(
                        f"{path} exists and was not written by backtest; pass --overwrite to replace it or {hint}"
                    )
    else:
        raise ValueError(f"unknown output kind {kind!r}")
    return path


@contextlib.contextmanager
def overwriting(allowed: bool | None = True) -> Iterator[None]:
    """Within this block, writers may replace reports of another kind or name (``--overwrite``);
    None keeps what the enclosing block allows."""
    token = _OVERWRITE.set(_OVERWRITE.get() if allowed is None else allowed)
    try:
        yield
    finally:
        _OVERWRITE.reset(token)


# --- the lock and the exchange --------------------------------------------------------------------


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``folder`` itself: writers in it commit one at a time.
    Where there is no ``flock`` (Windows) commits are not serialised: each is still one
    rename, but two writers finishing at the same moment may interleave their checks."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing drops the lock


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where that is not supported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(first))


def _is_held(marker: Path) -> bool:
    """Whether a live writer holds the ``flock`` on a staging marker (without ``flock``, any
    marker counts as held: a staging folder is then never taken for debris)."""
    if fcntl is None:
        return marker.exists()
    try:
        fd = os.open(marker, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _debris(target: Path) -> list[Path]:
    """This report's staging and backup folders in the parent (ours: marked by the tool)."""
    found = []
    for suffix in (".partial", ".old"):
        for candidate in target.parent.glob(f".{target.name}.*{suffix}"):
            if (
                candidate.is_dir()
                and not candidate.is_symlink()
                and ((candidate / STAGING_MARKER).exists() or (candidate / MANIFEST_FILE).exists())
            ):
                found.append(candidate)
    return sorted(found)


def clean_stale_debris(target: Path, report: Callable[[str], None] | None = None) -> list[Path]:
    """Remove staging folders of ``target`` left by writers that are gone, and restore a
    backup whose swap was interrupted. Call with the parent lock held: then the only
    folders in use are stagings whose writer holds its marker's lock."""
    say = report or (lambda text: print(text, file=sys.stderr))
    removed = []
    for folder in _debris(target):
        if _is_held(folder / STAGING_MARKER):
            continue
        if folder.suffix == ".old" and not os.path.lexists(target) and read_manifest(folder) is not None:
            os.rename(folder, target)
            say(f"restored {target} from {folder.name}, left by an interrupted run")
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    if removed:
        say(
            f"removed {len(removed)} stale staging folder(s) of {target} left by interrupted runs: "
            f"{_listing([folder.name for folder in removed])}"
        )
    return removed


EDITED_SUFFIX = ".edited-"
"""A listed file edited after the tool wrote it is kept as ``<name>.edited-<first 8 hex of
its SHA-256>``: the same edit kept twice has one name, two different edits two."""


def _keep_edited_files(old: Path, manifest: Manifest, staging: Path) -> dict[str, str]:
    """Hard-link into the staging folder, beside the new files, every file the old manifest
    lists whose bytes no longer match its SHA-256 (the user edited it), as
    ``<name>.edited-<hash>``; returns {relative path: name kept}. A copy already kept under
    that name is left to be carried over as the user's file."""
    kept = {}
    for relative, digest in sorted(manifest.files.items()):
        source = old / relative
        if source.is_symlink() or not source.is_file():
            continue
        actual = _sha256(source)
        if actual == digest:
            continue
        aside = f"{relative}{EDITED_SUFFIX}{actual[:8]}"
        kept[relative] = aside
        if os.path.lexists(old / aside):
            continue
        destination = staging / aside
        if os.path.lexists(destination):
            raise OutputError(
                f"{old / relative} was edited and the new report writes {aside}: move it away and run again"
            )
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, destination, follow_symlinks=False)
        except OSError:
            shutil.copy2(source, destination, follow_symlinks=False)
    return kept


def _carry_user_files(old: Path, manifest: Manifest, staging: Path) -> set[str]:
    """Hard-link every entry of the old report that its manifest does not list (the user's)
    into the staging folder, at the same relative path; returns their relative paths."""
    listed = set(manifest.files) | {MANIFEST_FILE}
    carried = set()
    for folder, dirnames, filenames in os.walk(old):
        base = Path(folder).relative_to(old)
        for dirname in dirnames:
            source = Path(folder) / dirname
            if not source.is_symlink():
                (staging / base / dirname).mkdir(exist_ok=True)
        for entry in filenames + [d for d in dirnames if os.path.islink(os.path.join(folder, d))]:
            relative = (base / entry).as_posix()
            if relative in listed:
                continue
            destination = staging / relative
            if os.path.lexists(destination):
                raise OutputError(
                    f"{old / relative} was not written by backtest and the new report writes a file of "
                    "that name: move it away and run again"
                )
            try:
                os.link(Path(folder) / entry, destination, follow_symlinks=False)
            except OSError:
                shutil.copy2(Path(folder) / entry, destination, follow_symlinks=False)
            carried.add(relative)
    return carried


def _rescue_late_files(old: Path, manifest: Manifest | None, carried: set[str], target: Path) -> list[str]:
    """Move into the new report any entry that appeared in the old folder after the user's
    files were linked (nothing the tool did not write is ever deleted); returns what stays."""
    known = (set(manifest.files) if manifest else set()) | {MANIFEST_FILE, STAGING_MARKER} | carried
    stuck = []
    for relative in _tree_files(old):
        if relative in known:
            continue
        destination = target / relative
        if os.path.lexists(destination):
            stuck.append(relative)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.rename(old / relative, destination)
    return stuck


def _commit(staging: Path, target: Path, kind: str, name: str, overwrite: bool) -> None:
    """Swap the finished staging folder into place under the parent's lock. Until the swap
    an error removes the staging folder and leaves the target as it was; after it, the old
    report is only deleted once everything not written by the tool has been moved back."""
    with _locked(target.parent):
        try:
            clean_stale_debris(target)
            manifest = _check_report_folder(target, kind, name, overwrite, "choose another output folder")
            carried = _carry_user_files(target, manifest, staging) if manifest is not None else set()
            edited = _keep_edited_files(target, manifest, staging) if manifest is not None else {}
            carried |= set(edited.values())
            # from here to the swap the staging folder is recognised as ours by its manifest alone
            (staging / STAGING_MARKER).unlink()
            if not target.exists():
                os.rename(staging, target)
                return
            old = staging
            if not _exchange(staging, target):
                old = staging.with_suffix(".old")
                os.rename(target, old)
                try:
                    os.rename(staging, target)
                except BaseException:
                    os.rename(old, target)
                    raise
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if edited:
            print(
                f"warning: {len(edited)} file(s) of {target} were edited after backtest wrote them; the new report "
                "replaces them and your versions are kept beside them: "
                + _listing([f"{relative} -> {aside}" for relative, aside in edited.items()]),
                file=sys.stderr,
            )
        stuck = _rescue_late_files(old, manifest, carried, target)
        if stuck:
            print(
                f"kept {old}: it holds {len(stuck)} file(s) added during the swap: {_listing(stuck)}", file=sys.stderr
            )
            return
        shutil.rmtree(old)


@contextlib.contextmanager
def report_directory(
    path: str | os.PathLike[str], *, kind: str, name: str | None = None, overwrite: bool | None = None
) -> Iterator[Path]:
    """Stage a report folder and commit it only if the block succeeds (see the module docstring).

    Yields the staging folder; write every file of the report into it. On success the
    manifest is written and the folder replaces ``path`` (raising ``OutputError`` if ``path``
    holds files the tool did not write, or a report of another kind or name without
    ``overwrite``); on any exception, including ``KeyboardInterrupt``, nothing is changed.
    name: the report's name in the manifest (default: the folder's name); overwrite:
    default from ``overwriting()``.
    """
    if kind not in REPORT_KINDS:
        raise ValueError(f"unknown report kind {kind!r}")
    target = Path(path)
    name = name or target.name
    overwrite = _OVERWRITE.get() if overwrite is None else overwrite
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    except OSError as error:
        raise _report_write_failure(error, target) or error from None
    try:
        os.chmod(staging, 0o777 & ~_umask())
        # held until this function returns: while it is, no other run takes the folder for debris
        marker_fd = os.open(staging / STAGING_MARKER, os.O_WRONLY | os.O_CREAT, 0o644)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise _report_write_failure(error, target) or error from None
    try:
        try:
            if fcntl is not None:
                fcntl.flock(marker_fd, fcntl.LOCK_EX)
            os.write(marker_fd, json.dumps({"tool": TOOL, "pid": os.getpid(), "target": target.name}).encode() + b"\n")
            yield staging
            files = {
                relative: _sha256(staging / relative)
                for relative in _tree_files(staging)
                if relative not in (STAGING_MARKER, MANIFEST_FILE)
            }
            atomic_write_text(staging / MANIFEST_FILE, Manifest(kind, name, files).to_json())
        except BaseException as error:
            shutil.rmtree(staging, ignore_errors=True)
            failure = _report_write_failure(error, target)
            if failure is None:
                raise
            raise failure from None
        try:
            _commit(staging, target, kind, name, overwrite)
        except OSError as error:
            raise _report_write_failure(error, target) or error from None
    finally:
        os.close(marker_fd)


def _report_write_failure(error: BaseException, target: Path) -> OutputWriteError | None:
    """``OutputWriteError`` for a write the filesystem refused while staging ``target``
    (the staging folder is gone by then; the previous report, if any, was never touched)."""
    failure = write_failure(error, target)
    if failure is None:
        return None
    # os.path, not Path: Path.is_dir raises on a name too long
    previous = "the previous report there is unchanged" if os.path.isdir(target) else "nothing was written"
    return OutputWriteError(f"{failure}; {previous}")
