"""Job kinds: what a spec file asks to run, and the one function that runs any of them.

A spec file is a TOML file whose optional ``[job]`` table says what it is: ``kind = "claim"``
(the default: the rest of the file is a claim spec, ``backtest.claims.spec``), ``"sweep"``
(every fast/slow pair of a grid, its ``[sweep]`` table) or ``"strategy"`` (a trend rule traded
against buy-and-hold, its ``[strategy]`` table). An optional ``[report]`` table carries what a
report adds to its kind's template: for a claim, ``narrative`` (a hook ``"module:function"``
returning a paragraph made from the result), ``text`` (a fixed paragraph) and ``figures`` (a
hook returning file name -> (caption, PNG bytes)); for a sweep, ``title`` (its one-line
description); for a strategy, ``title`` and ``question``. A hook's module is a Python file
beside the spec (``studies/<module>.py``), imported once (``hook_module``).

The job kind is read before the claim spec is parsed: ``[job]`` and ``[report]`` belong to this
layer and are taken out, the rest is validated as a claim spec by ``spec_from_dict``. Every
table of this layer is a typed model (``backtest.claims.job_models``) read through the claim's
own path (``backtest.claims.spec_models.validated``), so its errors have the same one-line form.
``run_job(path, data_dir, output_dir, ...)`` runs any kind and writes its report folder;
``backtest study NAME`` and ``backtest claim run studies/NAME.toml`` both call it.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from backtest.claims.job_models import (
    JOB_KINDS,
    ClaimReportTable,
    JobTable,
    StrategySpecFile,
    StrategyTable,
    SweepSpecFile,
    SweepTable,
)
from backtest.claims.spec import ClaimSpec, spec_from_dict
from backtest.claims.spec_models import validated, validated_tables
from backtest.defaults import DEFAULT_SEED
from backtest.errors import SpecError
from backtest.files import CLAIM_SPEC, read_text

__all__ = [
    "JOB_KINDS",
    "JOB_TABLES",
    "ClaimJob",
    "Hook",
    "Job",
    "PooledJob",
    "StrategyJob",
    "SweepJob",
    "comparison_of",
    "default_report_kind",
    "hook_module",
    "job_kind",
    "load_job",
    "read_tables",
    "run_job",
    "sweep_plan",
]

JOB_TABLES = ("job", "report")
"""The tables of the job layer, taken out before a claim spec is validated."""

Step = Callable[[str], None]


def _quiet(_: str) -> None:
    """A progress callback that says nothing."""


def read_tables(path: str | Path) -> dict[str, Any]:
    """The TOML tables of the spec file at ``path`` (a regular file of at most 256 KiB)."""
    text = read_text(Path(path), CLAIM_SPEC, error=SpecError)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML: {exc}") from None


def job_kind(tables: Mapping[str, Any], origin: str) -> str:
    """``[job] kind`` of a spec's tables ("claim" when there is no ``[job]`` table)."""
    job: JobTable = validated(JobTable, origin, "job", tables.get("job", {}))
    return job.kind


def hook_module(path: Path) -> ModuleType:
    """The Python file at ``path`` (a study's hooks) as a module, imported once per process.

    When that file is the running program (``python studies/<name>.py`` runs it as
    ``__main__``), the running module itself: importing the file again would run its
    module-level code a second time, with functions and constants that are not the script's own."""
    resolved = path.resolve()
    main = sys.modules.get("__main__")
    main_file = getattr(main, "__file__", None)
    if main is not None and main_file is not None and Path(main_file).resolve() == resolved:
        return main
    name = f"backtest_study_{path.stem}"
    loaded = sys.modules.get(name)
    if loaded is not None and Path(getattr(loaded, "__file__", "") or "").resolve() == resolved:
        return loaded
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SpecError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    # dataclasses and pickling look a module up by name while it executes
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


@dataclass(frozen=True)
class Hook:
    """A function a spec names as ``"module:function"``: ``function`` of ``<folder>/<module>.py``."""

    module: str
    function: str
    folder: Path
    origin: str
    key: str

    @classmethod
    def parse(cls, value: str, folder: Path, origin: str, key: str) -> Hook:
        """The hook ``value`` ("module:function", checked by ``ClaimReportTable``) names, its
        file checked beside the spec."""
        module, _, function = value.partition(":")
        if not (folder / f"{module}.py").is_file():
            raise SpecError(f"{origin}: [report] {key}: no file {module}.py beside the spec")
        return cls(module, function, folder, origin, key)

    def load(self) -> Callable[..., Any]:
        """The function itself (its module imported once)."""
        function = getattr(hook_module(self.folder / f"{self.module}.py"), self.function, None)
        if not callable(function):
            raise SpecError(f"{self.origin}: [report] {self.key}: {self.module}.py has no function {self.function!r}")
        return function  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ClaimJob:
    """A claim spec and what its report adds: a narrative (a hook or a fixed paragraph) and
    extra figures (a hook)."""

    spec: ClaimSpec
    narrative: Hook | None = None
    text: str = ""
    figures: Hook | None = None
    kind: str = "claim"

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def origin(self) -> str:
        return self.spec.origin

    @property
    def description(self) -> str:
        return self.spec.claim.title

    @property
    def adds_to_report(self) -> bool:
        """Whether its ``[report]`` table adds a narrative or figures to the claim's template."""
        return bool(self.narrative or self.text or self.figures)


@dataclass(frozen=True)
class SweepJob:
    """Every fast/slow pair of a grid on one series or several (the options of `backtest
    sweep`, as data; several series also write a cross-series summary)."""

    name: str
    series: tuple[str, ...]
    fast: str = "5:100:1"
    slow: str = "20:300:1"
    ma: str = "sma"
    direction: str = "golden"
    start: str | None = None
    end: str | None = None
    reps: int = 1000
    null_draws: int | None = None
    seed: int = DEFAULT_SEED
    reference: tuple[int, int] = (50, 200)
    csv: bool = False
    top: int = 10
    description: str = ""
    origin: str = "<code>"
    kind: str = "sweep"


@dataclass(frozen=True)
class StrategyJob:
    """A trend rule traded against buy-and-hold (``backtest.strategy.compare_trend_rule``)."""

    name: str
    series: str
    price: str | None
    total_return: str | None
    rule: dict[str, Any] = field(default_factory=dict)
    fees: tuple[float, ...] = (0.001, 0.0)
    sections: tuple[str, str] = ("1985_latest", "same_period_fred")
    index_name: str = ""
    title: str = ""
    question: str = ""
    origin: str = "<code>"
    kind: str = "strategy"

    @property
    def description(self) -> str:
        return self.title


@dataclass(frozen=True)
class PooledJob:
    """A claim about many series at once (``[series] names``, ``group`` or ``universe``):
    one pooled verdict (``backtest.claims.pooled``)."""

    spec: Any  # backtest.claims.pooled.PooledClaimSpec
    kind: str = "pooled"

    @property
    def name(self) -> str:
        return str(self.spec.name)

    @property
    def origin(self) -> str:
        return str(self.spec.origin)

    @property
    def description(self) -> str:
        return str(self.spec.claim.claim.title)


Job = ClaimJob | SweepJob | StrategyJob | PooledJob


def default_report_kind(job: Job) -> str:
    """The kind a job's report folder records: "study" for a spec in the project's studies
    folder (so that `backtest study NAME` and `backtest claim run studies/NAME.toml` write the
    same folder), else the job's kind."""
    from backtest.project import studies_dir

    if isinstance(job, PooledJob):  # a claim's report folder, pooled
        return "claim"
    origin = Path(job.origin)
    in_studies = job.origin != "<code>" and origin.resolve().parent == studies_dir().resolve()
    return "study" if in_studies or isinstance(job, StrategyJob) else job.kind


def _claim_job(tables: Mapping[str, Any], path: Path, data_dir: str | Path | None) -> ClaimJob:
    origin = str(path)
    report: ClaimReportTable = validated(ClaimReportTable, origin, "report", tables.get("report", {}))
    claim_tables = {key: value for key, value in tables.items() if key not in JOB_TABLES}
    spec = spec_from_dict(claim_tables, origin=origin, base_dir=path.parent, data_dir=data_dir)
    hooks = {
        key: Hook.parse(value, path.parent, origin, key)
        for key in ("narrative", "figures")
        if (value := getattr(report, key)) is not None
    }
    return ClaimJob(spec, narrative=hooks.get("narrative"), text=report.text or "", figures=hooks.get("figures"))


def _sweep_job(tables: Mapping[str, Any], path: Path) -> SweepJob:
    origin = str(path)
    checked = validated_tables(SweepSpecFile, tables, origin)
    sweep: SweepTable = checked["sweep"]
    return SweepJob(
        name=path.stem,
        series=tuple(sweep.series),
        fast=sweep.fast,
        slow=sweep.slow,
        ma=sweep.ma,
        direction=sweep.direction,
        start=sweep.start,
        end=sweep.end,
        reps=sweep.reps,
        null_draws=sweep.null_draws,
        seed=sweep.seed,
        reference=sweep.reference_pair,
        csv=sweep.csv,
        top=sweep.top,
        description=checked["report"].title or "",
        origin=origin,
    )


def _strategy_job(tables: Mapping[str, Any], path: Path) -> StrategyJob:
    origin = str(path)
    checked = validated_tables(StrategySpecFile, tables, origin)
    strategy: StrategyTable = checked["strategy"]
    rule = {
        "fast": strategy.fast,
        "slow": strategy.slow,
        "ma": strategy.ma,
        "start": strategy.start,
        "end": strategy.end,
        "execution": strategy.execution,
        "first_entry": strategy.first_entry,
        "fee": strategy.fee,
    }
    return StrategyJob(
        name=path.stem,
        series=strategy.series,
        price=strategy.price,
        total_return=strategy.total_return,
        rule=rule,
        fees=tuple(strategy.fees) if strategy.fees is not None else (strategy.fee, 0.0),
        sections=(strategy.sections[0], strategy.sections[1]),
        index_name=strategy.index_name or strategy.series,
        title=checked["report"].title,
        question=checked["report"].question,
        origin=origin,
    )


def load_job(path: str | Path, data_dir: str | Path | None = None) -> Job:
    """The job of the spec file at ``path``, validated (SpecError: one line naming the file
    and the key) before any data are read; claim specs are checked against ``data_dir``'s catalog."""
    path = Path(path)
    tables = read_tables(path)
    kind = job_kind(tables, str(path))
    if kind == "sweep":
        return _sweep_job(tables, path)
    if kind == "strategy":
        return _strategy_job(tables, path)
    from backtest.claims.panel_spec import is_pooled

    if is_pooled(tables):  # many series in [series]: one pooled verdict
        from backtest.claims.pooled import pooled_spec_from_dict

        claim_tables = {key: value for key, value in tables.items() if key not in JOB_TABLES}
        return PooledJob(pooled_spec_from_dict(claim_tables, str(path), path.parent, data_dir))
    return _claim_job(tables, path, data_dir)


def _given(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options given (not None): the rest keep the library's defaults."""
    return {key: value for key, value in options.items() if value is not None}


def _run_claim_job(job: ClaimJob, folder: Path, report_kind: str, command: str, **options: Any) -> Path:
    from backtest.claims.run import run_claim_report

    narrative: Callable[[Any], str] | str = job.narrative.load() if job.narrative is not None else job.text
    extras = job.figures.load() if job.figures is not None else None
    _, written = run_claim_report(
        job.spec, folder, kind=report_kind, narrative=narrative, extras=extras, command=command, **options
    )
    return written


def sweep_plan(job: SweepJob, folder: str | Path, *, seed: int | None = None) -> Any:
    """The ``SweepPlan`` of ``job`` writing ``folder``: what `backtest sweep` would run with
    the same options (default horizons; ``seed`` replaces the job's own)."""
    from backtest.claims.sweep_jobs import SweepPlan
    from backtest.events import DEFAULT_HORIZONS, EventRules, MACross
    from backtest.sweep import SweepGrid

    options = {"reps": job.reps, "null_draws": job.null_draws, "seed": job.seed if seed is None else seed}
    return SweepPlan(
        grid=SweepGrid.from_ranges(job.fast, job.slow),
        rules=EventRules(source=MACross(ma=job.ma, direction=job.direction), start=job.start, end=job.end),
        horizons=tuple(DEFAULT_HORIZONS),
        entries=job.series,
        several=len(job.series) > 1,
        target=Path(folder),
        options={**options, "reference": job.reference},
        csv=job.csv,
        top=job.top,
    )


def _run_sweep_job(
    job: SweepJob, folder: Path, report_kind: str, data_dir: Any, seed: int | None, policy: str | None, step: Step
) -> Path:
    from contextlib import nullcontext

    from backtest.claims.sweep_jobs import SweepIO, check_sweep_plan, run_sweep_plan

    plan = sweep_plan(job, folder, seed=seed)
    check_sweep_plan(plan)
    progress = SweepIO(progress=lambda _: (nullcontext(), step))
    kind = report_kind if not plan.several else "multi-sweep"
    run_sweep_plan(plan, data_dir=data_dir, policy=policy or "lenient", kind=kind, io=progress)
    return folder


def comparison_of(
    job: StrategyJob, data_dir: str | Path | None = None, *, policy: str | None = None, step: Step = _quiet
) -> Any:
    """The simulations of ``job``, in memory: the rule on its series (signals and position),
    then on the price and total-return series it names (``compare_trend_rule``)."""
    from backtest.data import load_series
    from backtest.strategy import TrendStrategy, compare_trend_rule

    step("loading and validating data")
    load = lambda name: None if name is None else load_series(name, data_dir=data_dir, policy=policy or "lenient")  # noqa: E731
    return compare_trend_rule(
        load(job.series),
        TrendStrategy(**_given(job.rule)),
        fees=job.fees,
        price=load(job.price),
        total_return=load(job.total_return),
        sections=job.sections,
        step=step,
    )


def _run_strategy_job(job: StrategyJob, folder: Path, data_dir: Any, policy: str | None, step: Step) -> Path:
    from backtest.claims.outputs import write_strategy_report

    # the simulation draws no random number: a seed or Monte Carlo sizes change nothing
    comparison = comparison_of(job, data_dir, policy=policy, step=step)
    step("writing the report")
    return Path(
        write_strategy_report(
            comparison, folder, study=job.name, question=job.question, title=job.title, index_name=job.index_name
        )
    )


def _run_pooled_job(
    job: PooledJob, folder: Path, data_dir: Any, seed: int | None, policy: str | None, on_answer: Any
) -> Path:
    from backtest.claims.pooled import run_pooled_claim

    result = run_pooled_claim(job.spec, **_given({"data_dir": data_dir, "seed": seed, "policy": policy}))
    if on_answer is not None:  # the pooled answer, before the report is written
        on_answer(result)
    return Path(result.report(folder))


def run_job(
    job: Job | str | Path,
    data_dir: str | Path | None,
    output_dir: str | Path,
    *,
    seed: int | None = None,
    n_draws: int | None = None,
    n_paths: int | None = None,
    step: Step | None = None,
    policy: str | None = None,
    command: str = "backtest claim run",
    report_kind: str | None = None,
    **options: Any,
) -> Path:
    """Run the job of a spec file (or a loaded ``Job``) and write its report folder at
    ``output_dir`` itself; returns the folder.

    seed, n_draws, n_paths, policy: None keeps the job's own (a sweep's ``[sweep] seed``, the
    claim run's defaults); the Monte Carlo sizes apply to claims only (a sweep's sizes are its
    ``reps``; a strategy draws nothing). report_kind: the kind its manifest records (default:
    the job's kind; "study" for `backtest study`). command: the command named in a claim's
    report. options: more of ``run_claim``'s (``n_power_paths``)."""
    loaded = job if isinstance(job, (ClaimJob, SweepJob, StrategyJob, PooledJob)) else load_job(job, data_dir=data_dir)
    folder, step = Path(output_dir), step or _quiet
    kind = report_kind or default_report_kind(loaded)
    if isinstance(loaded, PooledJob):
        return _run_pooled_job(loaded, folder, data_dir, seed, policy, options.get("on_answer"))
    if isinstance(loaded, SweepJob):
        return _run_sweep_job(loaded, folder, kind, data_dir, seed, policy, step)
    if isinstance(loaded, StrategyJob):
        return _run_strategy_job(loaded, folder, data_dir, policy, step)
    sizes = _given({"seed": seed, "n_draws": n_draws, "n_paths": n_paths, "policy": policy, **options})
    return _run_claim_job(loaded, folder, kind, command, data_dir=data_dir, step=step, **sizes)
