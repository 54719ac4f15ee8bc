"""The typed models of a spec's job-layer tables: [job], [report], [sweep] and [strategy].

The job layer (``backtest.claims.jobs``) reads these tables through the same path as the
claim's own (``backtest.claims.spec_models.validated``): frozen, strict models with no
unknown key, whose refusals are one ``SpecError`` line naming the file, the table and the
key. Their keys say what they take in one phrase (``Expected``: "[sweep] reps: expected an
integer >= 0, got -1"). ``SweepSpecFile`` and ``StrategySpecFile`` are whole spec files of
those kinds, from which ``backtest.claims.spec.spec_schema`` generates their JSON Schema.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, WithJsonSchema

from backtest.claims.spec_models import Expected, Refusal, SpecTable, did_you_mean
from backtest.defaults import DEFAULT_SEED

JOB_KINDS = ("claim", "sweep", "strategy")
"""The kinds a spec's ``[job] kind`` may name."""

HOOK_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*:[A-Za-z_][A-Za-z0-9_]*$"
"""A hook: ``"module:function"``, ``function`` of the file ``<module>.py`` beside the spec."""


def _job_kind(value: object) -> object:
    if value not in JOB_KINDS:
        hint = did_you_mean(str(value), JOB_KINDS)
        raise Refusal(f"unknown job kind {value!r} (known: {', '.join(JOB_KINDS)}){hint}")
    return value


def _hook(value: str) -> str:
    module, _, function = value.partition(":")
    if not module.isidentifier() or not function.isidentifier():
        raise Refusal(f'expected "module:function", got {value!r}')
    return value


def _one_or_many(value: object) -> object:
    """A single name stands for a list of one."""
    return [value] if isinstance(value, str) else value


def _reference_pair(value: str) -> str:
    parts = value.replace("x", "/").split("/")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise ValueError("not FAST/SLOW")
    return value


Name = Annotated[str, Field(min_length=1)]
NonEmptyText = Annotated[str, Field(pattern=r"\S"), Expected("a non-empty string")]
"""A string that says something (not only spaces)."""
Hook = Annotated[
    str,
    WithJsonSchema({"type": "string", "pattern": HOOK_PATTERN}),
    AfterValidator(_hook),
    Expected("a non-empty string"),
]
"""A hook ``"module:function"`` (the file beside the spec is checked when the job is loaded)."""
MovingAverage = Annotated[Literal["sma", "ema"], Expected("one of sma, ema")]


def _integer(minimum: int) -> Any:
    """An integer of at least ``minimum``, refused as 'expected an integer >= minimum'."""
    return Annotated[int, Field(ge=minimum), Expected(f"an integer >= {minimum}")]


def _optional_integer(minimum: int) -> Any:
    return Annotated[Annotated[int, Field(ge=minimum)] | None, Expected(f"an integer >= {minimum}")]


# ---------------------------------------------------------------------------------------
# [job] and [report]
# ---------------------------------------------------------------------------------------


class JobTable(SpecTable):
    """[job]: what the spec file asks to run (absent: a claim)."""

    kind: Annotated[Literal["claim", "sweep", "strategy"], BeforeValidator(_job_kind)] = "claim"


class ClaimJobTable(JobTable):
    """[job] of a claim spec: kind "claim", the default."""

    kind: Annotated[Literal["claim"], BeforeValidator(_job_kind)] = "claim"


class SweepJobTable(JobTable):
    """[job] of a sweep spec."""

    kind: Annotated[Literal["sweep"], BeforeValidator(_job_kind)]


class StrategyJobTable(JobTable):
    """[job] of a strategy spec."""

    kind: Annotated[Literal["strategy"], BeforeValidator(_job_kind)]


class ClaimReportTable(SpecTable):
    """[report] of a claim: what its report adds to the claim's template. ``narrative``: a
    hook returning a paragraph made from the result; ``text``: a fixed paragraph;
    ``figures``: a hook returning file name -> (caption, PNG bytes)."""

    narrative: Hook | None = None
    text: NonEmptyText | None = None
    figures: Hook | None = None


class SweepReportTable(SpecTable):
    """[report] of a sweep: its one-line description."""

    title: NonEmptyText | None = None


class StrategyReportTable(SpecTable):
    """[report] of a strategy: its title and the question it answers."""

    title: NonEmptyText
    question: NonEmptyText


# ---------------------------------------------------------------------------------------
# [sweep] and [strategy]
# ---------------------------------------------------------------------------------------


class SweepTable(SpecTable):
    """[sweep]: every fast/slow pair of a grid on one series or several (the options of
    `backtest sweep`, as data). ``fast``/``slow``: ``START:STOP[:STEP]``, STOP included;
    ``reps``: stationary-bootstrap replications; ``null_draws``: random-entry draws per
    distinct event count (None: the library's); ``reference``: the pair ranked and
    highlighted; ``top``: pairs listed per horizon; ``csv``: also write the pairs as CSV."""

    series: Annotated[
        list[Name],
        BeforeValidator(_one_or_many),
        Field(min_length=1),
        Expected("a non-empty list of strings"),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "minLength": 1},
                    {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
                ]
            }
        ),
    ]
    fast: NonEmptyText = "5:100:1"
    slow: NonEmptyText = "20:300:1"
    ma: MovingAverage = "sma"
    direction: Annotated[Literal["golden", "death"], Expected("one of golden, death")] = "golden"
    start: NonEmptyText | None = None
    end: NonEmptyText | None = None
    reps: _integer(0) = 1000  # type: ignore[valid-type]
    null_draws: _optional_integer(0) = None  # type: ignore[valid-type]
    seed: _integer(0) = DEFAULT_SEED  # type: ignore[valid-type]
    reference: Annotated[
        str,
        WithJsonSchema({"type": "string", "pattern": r"^[0-9]+[/x][0-9]+$"}),
        AfterValidator(_reference_pair),
        Expected("FAST/SLOW like 50/200"),
    ] = "50/200"
    csv: Annotated[bool, Expected("true or false")] = False
    top: _integer(1) = 10  # type: ignore[valid-type]

    @property
    def reference_pair(self) -> tuple[int, int]:
        """``reference`` as (fast, slow)."""
        fast, slow = self.reference.replace("x", "/").split("/")
        return int(fast), int(slow)


class StrategyTable(SpecTable):
    """[strategy]: a trend rule traded against buy-and-hold (``backtest.strategy``).
    ``series``: the signals and the position; ``price``/``total_return``: the same rule on a
    price index and its total-return index; ``fee``: the cost per side of the rule's own
    simulation, ``fees``: the costs compared (default: ``fee`` and none); ``sections``: the
    names of the full sample and of the period of the price series."""

    series: NonEmptyText
    price: NonEmptyText | None = None
    total_return: NonEmptyText | None = None
    fast: _integer(1) = 50  # type: ignore[valid-type]
    slow: _integer(2) = 200  # type: ignore[valid-type]
    ma: MovingAverage = "sma"
    start: NonEmptyText | None = None
    end: NonEmptyText | None = None
    execution: NonEmptyText = "close"
    first_entry: NonEmptyText = "cross"
    fee: Annotated[float, Field(allow_inf_nan=False), Expected("a number")] = 0.001
    fees: Annotated[
        list[Annotated[float, Field(allow_inf_nan=False)]] | None,
        Field(min_length=1),
        Expected("a non-empty list of numbers"),
    ] = None
    sections: Annotated[
        list[Name],
        BeforeValidator(_one_or_many),
        Field(min_length=2, max_length=2),
        Expected("two names (the full sample, the period of the price series)"),
        WithJsonSchema({"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 2, "maxItems": 2}),
    ] = ["1985_latest", "same_period_fred"]
    index_name: NonEmptyText | None = None


# ---------------------------------------------------------------------------------------
# Whole spec files of the job kinds (read table by table; their JSON Schema)
# ---------------------------------------------------------------------------------------


class SpecFile(SpecTable):
    """A whole spec file: one field per table. Its tables are validated one by one
    (``backtest.claims.spec_models.validated_tables``) so that each error names its table."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class SweepSpecFile(SpecFile):
    """A sweep spec (``[job] kind = "sweep"``): its grid and its report's title."""

    model_config = ConfigDict(title="Sweep spec")

    job: SweepJobTable
    sweep: SweepTable
    report: SweepReportTable = Field(default_factory=SweepReportTable)


class StrategySpecFile(SpecFile):
    """A strategy spec (``[job] kind = "strategy"``): its rule and its report's words."""

    model_config = ConfigDict(title="Strategy spec")

    job: StrategyJobTable
    strategy: StrategyTable
    report: StrategyReportTable
