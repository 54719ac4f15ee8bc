"""A study script as a claim: the study's spec run through the claim path into its report folder.

``run_spec_study(spec_path, data_dir, output_dir, ...)`` loads the spec beside a study script,
runs it with ``run_claim`` and writes the one template's report (kind "study", so that
``backtest study`` keeps its folders), adding the study's own narrative paragraph and figures
(``extras(result)`` -> file name -> (caption, PNG bytes)). Study scripts stay small.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from backtest.claims.spec import load_spec

Extras = Callable[[Any], Mapping[str, tuple[str, bytes]]]


def run_spec_study(
    spec_path: str | Path,
    data_dir: Path | None,
    output_dir: Path,
    *,
    name: str,
    narrative: Callable[[Any], str] | str = "",
    extras: Extras | None = None,
    step: Callable[[str], None] = lambda _: None,
    **options: Any,
) -> Path:
    """Run the spec at ``spec_path`` (options: ``run_claim``'s seed, n_draws, n_paths, policy)
    and write the report of the study ``name`` (hyphenated, as `backtest study` calls it)."""
    from backtest.claims.run import run_claim_report

    _, folder = run_claim_report(
        load_spec(spec_path, data_dir=data_dir),
        output_dir,
        kind="study",
        narrative=narrative,
        extras=extras,
        command=f"backtest study {name}",
        data_dir=data_dir,
        step=step,
        **options,
    )
    return folder
