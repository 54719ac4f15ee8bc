"""The gallery: every claim spec of the project, run into one results folder with an index.

``gallery_specs()`` lists the specs (``studies/*.toml`` not run by a study script, then
``studies/claims/*.toml``, each sorted by name); ``study_specs()`` the ones study scripts run; ``index_markdown(rows)`` is the README.md table of what they found (claim,
events, verdict, link to the report).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from backtest.project import studies_dir
from backtest.report.render import markdown_text
from backtest.stats.multiple import holm


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


def family_adjustment(primaries: Mapping[str, tuple[str, float | None]]) -> dict[str, dict[str, Any]]:
    """Each claim's place in the family the gallery tests (Holm 1979, over the primary
    p-values of the claims that could be tested): name -> summary.json's ``family`` block.
    ``primaries``: name -> (title, primary p, None when not testable)."""
    names = [name for name, (_, p) in primaries.items() if p is not None and math.isfinite(p)]
    adjusted = dict(zip(names, holm([primaries[name][1] for name in names]).tolist()))
    members = [
        {"name": name, "title": title, "pvalue": p, "pvalue_holm": adjusted.get(name)}
        for name, (title, p) in primaries.items()
    ]
    return {
        name: {
            "method": "Holm",
            "n_claims": len(primaries),
            "n_tested": len(names),
            "pvalue": primaries[name][1],
            "pvalue_holm": adjusted.get(name),
            "members": members,
        }
        for name in primaries
    }


def _p(value: object) -> str:
    return "–" if not isinstance(value, float) or not math.isfinite(value) else f"{value:.3f}"


def index_markdown(rows: Sequence[dict[str, object]]) -> str:
    """README.md of a gallery folder: one row per claim (title, series, events, verdict, the
    primary p and its Holm adjustment over the gallery, links to the reports)."""
    tested = sum(1 for row in rows if _p(row.get("pvalue")) != "–")
    lines = [
        "# Claims gallery",
        "",
        "Well-known market-timing claims, each stated as a spec (TOML) and run with `backtest claim run`.",
        "Regenerate every report with `make claims` (or `backtest claim run-all`). The verdict reads the",
        "claim's primary test (did the events beat random entry dates?) at the horizons each claim names,",
        "and calls a supported claim fragile when it does not survive leaving out a single year.",
        f"The gallery is one family of {len(rows)} claims ({tested} testable): beside each claim's own",
        "primary p is its Holm adjustment over the family, the p to read when asking whether any of",
        "them holds.",
        "",
        "| claim | spec | series | events | verdict | primary p | Holm p | report |",
        "|---|---|---|---:|---|---:|---:|---|",
    ]
    for row in rows:
        name = row["name"]
        lines.append(
            f"| {markdown_text(str(row['title']))} | `{row['spec']}` | {markdown_text(str(row['series']))} | "
            f"{row['n_events']} | **{row['verdict']}** | {_p(row.get('pvalue'))} | {_p(row.get('pvalue_holm'))} | "
            f"[html]({name}/report.html), [md]({name}/report.md) |"
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
