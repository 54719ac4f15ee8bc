"""The gallery: every claim spec of the project, run into one results folder with an index.

``gallery_specs()`` lists the specs (``studies/claims/*.toml``, sorted by name);
``study_specs()`` the studies' own (``studies/*.toml``); ``index_markdown(rows)`` is the README.md table of what they found (claim,
events, verdict, link to the report).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backtest import numbers
from backtest.errors import ParameterError
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


@dataclass(frozen=True)
class GalleryRun:
    """What `claim run-all` wrote: each claim's result (with its family adjustment), its
    report folder, and the index."""

    results: tuple[Any, ...]
    folders: tuple[Path, ...]
    index: Path

    @property
    def untestable(self) -> list[str]:
        """Names of the claims whose verdict is "not testable"."""
        from backtest.stats.verdict import NOT_TESTABLE

        return [result.spec.name for result in self.results if result.verdict == NOT_TESTABLE]


def _claim_spec(path: Path, data_dir: str | Path | None) -> Any:
    """The claim of the spec at ``path`` (a study's claim spec runs as its claim: its
    ``[report]`` additions belong to `backtest study`); a sweep or strategy spec is refused."""
    from backtest.claims.jobs import ClaimJob, load_job

    job = load_job(path, data_dir=data_dir)
    if not isinstance(job, ClaimJob):
        raise ParameterError(f"{path}: a {job.kind} spec, not a claim (run it with `backtest claim run`)")
    return job.spec


def run_gallery(
    paths: Sequence[Path],
    output_dir: str | Path,
    *,
    data_dir: str | Path | None = None,
    overwrite: bool = False,
    check: Callable[[Any], object] = lambda _: None,
    announce: Callable[[Path], object] = lambda _: None,
    on_warning: Callable[[str, str], object] = lambda _name, _note: None,
    on_written: Callable[[Any], object] = lambda _: None,
    **options: Any,
) -> GalleryRun:
    """Run every claim of ``paths`` into ``output_dir/<name>/`` and write
    ``output_dir/README.md``, the table of what each found (`backtest claim run-all`).

    Every spec, its work (``check(spec)``) and every target folder and the index are checked
    before the first run (``announce(target)`` hears each folder); then every claim runs
    (``options``: ``run_claim``'s), its figures drawn beside it, and only then are the reports
    written, each giving its primary p adjusted over the family (Holm over the claims). An
    index that run-all did not write is replaced only with ``overwrite``."""
    from backtest._io import atomic_write_text, overwriting, preflight
    from backtest.claims.run import run_claim_drawing, with_family

    specs = [_claim_spec(Path(path), data_dir) for path in paths]
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        twice = next(name for name in names if names.count(name) > 1)
        raise ParameterError(f"two specs write the same report folder {twice!r}; give one a [claim] name")
    for spec in specs:
        check(spec)
    output = Path(output_dir)
    index = output / "README.md"
    # the index is a single file of its own kind: a README that is not the gallery's (a
    # project's, when output_dir is a clone) must never be replaced without overwrite
    preflight(index, "gallery-index", overwrite=overwrite, hint="choose another --output-dir")
    for spec in specs:
        preflight(output / spec.name, "claim", overwrite=overwrite, hint="choose another --output-dir")
        announce(output / spec.name)
    runs = []
    for spec in specs:
        result, drawing = run_claim_drawing(spec, data_dir=data_dir, **options)
        for note in result.warnings:
            on_warning(spec.name, note)
        runs.append((result, drawing))
    family = family_adjustment(
        {
            spec.name: (spec.claim.title, result.summary_data["conclusion"]["primary_pvalue"])
            for spec, (result, _) in zip(specs, runs)
        }
    )
    rows, results, folders = [], [], []
    for path, spec, (result, drawing) in zip(paths, specs, runs):
        result = with_family(result, family[spec.name])
        folder = result.report(
            output / spec.name, overwrite=overwrite, command="backtest claim run", drawn=drawing.result()
        )
        on_written(result)
        results.append(result)
        folders.append(Path(folder))
        rows.append(
            {
                "title": spec.claim.title,
                "spec": project_relative(Path(path)),
                "series": spec.series,
                "n_events": result.study.n_events,
                "verdict": result.verdict,
                "name": spec.name,
                "pvalue": family[spec.name]["pvalue"],
                "pvalue_holm": family[spec.name]["pvalue_holm"],
            }
        )
    with overwriting(overwrite):
        atomic_write_text(index, index_markdown(rows))
    return GalleryRun(tuple(results), tuple(folders), index)
