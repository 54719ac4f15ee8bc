"""The gallery: every claim spec of the project, run into one results folder with an index.

``gallery_specs()`` lists the specs (``studies/*.toml`` not run by a study script, then
``studies/claims/*.toml``, each sorted by name); ``study_specs()`` the ones study scripts run; ``index_markdown(rows)`` is the README.md table of what they found (claim,
events, verdict, link to the report).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from backtest.project import studies_dir


def gallery_specs(root: Path | None = None) -> list[Path]:
    """The spec files of the gallery: ``studies/*.toml`` then ``studies/claims/*.toml``, each
    sorted, leaving out a spec that a study script of the same name runs (``backtest study``
    writes its report in its own folder: one report per claim, never a copy)."""
    root = root or studies_dir()
    own = [path for path in sorted(root.glob("*.toml")) if not path.with_suffix(".py").is_file()]
    return own + sorted((root / "claims").glob("*.toml"))


def study_specs(root: Path | None = None) -> list[Path]:
    """The specs that study scripts run (``studies/<name>.toml`` beside ``studies/<name>.py``)."""
    root = root or studies_dir()
    return [path for path in sorted(root.glob("*.toml")) if path.with_suffix(".py").is_file()]


def spec_paths(targets: Sequence[str | Path]) -> list[Path]:
    """Spec files of ``targets``: files as given, folders expanded to their ``*.toml`` (sorted)."""
    out: list[Path] = []
    for target in map(Path, targets):
        out.extend(sorted(target.glob("*.toml")) if target.is_dir() else [target])
    return out


def index_markdown(rows: Sequence[dict[str, object]]) -> str:
    """README.md of a gallery folder: one row per claim (title, series, events, verdict, link)."""
    lines = [
        "# Claims gallery",
        "",
        "Well-known market-timing claims, each stated as a spec (TOML) and run with `backtest claim run`.",
        "Regenerate every report with `make claims` (or `backtest claim run-all`). The verdict reads",
        "question B (did the events beat random entry dates?) at the horizons each claim names.",
        "",
        "| claim | spec | series | events | verdict | report |",
        "|---|---|---|---:|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['title']} | `{row['spec']}` | {row['series']} | {row['n_events']} | "
            f"**{row['verdict']}** | [{row['name']}/report.md]({row['name']}/report.md) |"
        )
    return "\n".join(lines) + "\n"


def project_relative(path: Path) -> str:
    """``path`` relative to the project root (the folder holding studies/) when inside it,
    so an index reads the same on every machine; else as given."""
    root = studies_dir().resolve().parent
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
