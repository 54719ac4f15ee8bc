"""A study script of your own as a claim: a spec run through the claim path into its report folder.

The project's studies need no script: each is a spec ``studies/<name>.toml`` whose ``[report]``
table names its hooks, run by ``backtest.claims.jobs.run_job``. A study script with a ``run()``
of its own (``backtest.study_runner``) can still call ``run_spec_study(spec_path, data_dir,
output_dir, ...)``: it loads the spec, runs it with ``run_claim`` and writes the one template's
report (kind "study", so that ``backtest study`` keeps its folders), adding the script's own
narrative paragraph and figures (``extras(result)`` -> file name -> (caption, PNG bytes)).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

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
    from backtest.claims.jobs import ClaimJob, load_job
    from backtest.claims.run import run_claim_report
    from backtest.errors import SpecError

    job = load_job(spec_path, data_dir=data_dir)
    if not isinstance(job, ClaimJob):
        raise SpecError(f"{spec_path}: a {job.kind} job, not a claim: run it with run_job")
    _, folder = run_claim_report(
        job.spec,
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
