"""Helpers of the fault tests: byte snapshots of folder trees, to assert that a refused or
interrupted command changed nothing (``snapshot_tree``; import it from here)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def snapshot_tree(path: str | os.PathLike[str]) -> dict[str, str]:
    """Every entry under ``path`` (hidden ones included, symlinks not followed) as relative
    POSIX path -> SHA-256 of its bytes ("dir" for folders, "link:<target>" for symlinks)."""
    root = Path(path)
    found: dict[str, str] = {}
    for folder, dirnames, filenames in os.walk(root):
        base = Path(folder)
        for name in dirnames:
            entry = base / name
            relative = entry.relative_to(root).as_posix()
            found[relative] = f"link:{os.readlink(entry)}" if entry.is_symlink() else "dir"
        for name in filenames:
            entry = base / name
            relative = entry.relative_to(root).as_posix()
            found[relative] = (f"link:{os.readlink(entry)}" if entry.is_symlink()
                               else hashlib.sha256(entry.read_bytes()).hexdigest())
    return dict(sorted(found.items()))

