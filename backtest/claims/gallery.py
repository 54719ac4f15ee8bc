"""The gallery: every claim spec of the project, run into one results folder with an index.

``gallery_specs()`` lists the specs (``studies/claims/*.toml``, sorted by name);
``study_specs()`` the studies' own (``studies/*.toml``); ``index_markdown(rows)`` is the README.md table of what they found (claim,
events, verdict, link to the report).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from backtest import numbers
from backtest.project import studies_dir
from backtest.report.render import markdown_text
from backtest.stats.multiple import holm


def gallery_specs(root: Path | None = None) -> list[Path]:
    """The spec files of the gallery: ``studies/claims/*.toml``, sorted. The studies'
    specs (``studies/*.toml``) are left out: ``backtest study`` writes each report in its own
    folder (one report per claim, never a copy)."""
    root = root or studies_dir()
    return sorted((root / "claims").glob("*.toml"))


def study_specs(root: Path | None = None) -> list[Path]:
    """The specs of the studies (``studies/*.toml``, of any job kind: ``backtest.claims.jobs``)."""
    root = root or studies_dir()
    return sorted(root.glob("*.toml"))


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


GALLERY_PVALUE = functools.partial(numbers.pvalue, digits=3, small="fixed")
"""A p-value of the gallery's index: three decimals, '–' for a claim that could not be tested."""


def index_markdown(rows: Sequence[dict[str, object]]) -> str:
    """README.md of a gallery folder: one row per claim (title, series, events, verdict, the
    primary p and its Holm adjustment over the gallery, links to the reports)."""
    tested = sum(1 for row in rows if GALLERY_PVALUE(row.get("pvalue")) != numbers.MISSING)
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
            f"{row['n_events']} | **{row['verdict']}** | {GALLERY_PVALUE(row.get('pvalue'))} | {GALLERY_PVALUE(row.get('pvalue_holm'))} | "
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
