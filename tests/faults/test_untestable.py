"""Fault tests of claims that could never be tested, caught at check time: a level outside its
indicator's range or at an edge it can never cross (RSI 300, a drawdown of -20 meant as
-0.20), a series name the catalog does not know, a start after the data's last close (an
end before its first), and misspelled keys. Every case runs through ``backtest.cli.main``
(``claim check``: exit 2, one ``error:`` line with the key, the value, the unit and the hint,
nothing written) and through ``load_spec`` (the same ``SpecError``); the committed specs
all still pass."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from backtest.claims import load_spec
from backtest.claims.spec import spec_from_dict
from backtest.data import list_series, load_series
from backtest.data import sources as data_sources
from backtest.data.catalog import check_series_name, listening_to_loads, series_span
from backtest.errors import ParameterError, SpecError
from tests.faults.conftest import snapshot_tree, wave_rows
from tests.faults.test_inputs import assert_unchanged, error_line

CLI = Callable[..., tuple[int, str, str]]
ROOT = Path(__file__).resolve().parents[2]
COMMITTED_SPECS = sorted([*ROOT.glob("studies/*.toml"), *ROOT.glob("studies/claims/*.toml")])
RSI_UNIT = "RSI is 0–100 points: 0 = only losses, 100 = only gains; 30 is read as oversold, 70 as overbought"
DRAWDOWN_UNIT = "a fraction of the running peak: -0.20 = 20% below it"
ROC_UNIT = "a fraction: 0.05 = +5%, -0.10 = -10%"


def spec_text(body: str, series: str = "russell2000") -> str:
    """A claim spec on ``series``: [claim], [series], then ``body`` (an [event] at least)."""
    return f'[claim]\ntitle = "t"\nstatement = "s"\nhorizons = ["1m", "3m"]\n\n[series]\nname = "{series}"\n\n{body}'


def write_spec(folder: Path, body: str, series: str = "russell2000", name: str = "claim.toml") -> Path:
    path = folder / name
    path.write_text(spec_text(body, series), encoding="utf-8")
    return path


def threshold(indicator: str, level: float | str, cross: str = "below", extra: str = "") -> str:
    return f'[event]\nkind = "threshold"\nindicator = "{indicator}"\n{extra}level = {level}\ncross = "{cross}"\n'


CROSS = '[event]\nkind = "ma_cross"\n'
RSI_EVENT = threshold("rsi", 30)


def a_filter(indicator: str, operator: str, level: float, table: str = "filters", extra: str = "") -> str:
    return f'\n[[{table}]]\nindicator = "{indicator}"\n{extra}operator = "{operator}"\nlevel = {level}\n'


# (spec body, [series] name, the fragment of the one error line); {first} / {last}: the first
# and last close of russell2000 as the full loader reads them
UNTESTABLE: dict[str, tuple[str, str, str]] = {
    # levels outside the indicator's range, with the unit and the level probably meant
    "drawdown-in-percent": (
        threshold("drawdown", -20),
        "russell2000",
        f"[event] level: -20 is outside the range of drawdown: it must lie in (-1, 0] ({DRAWDOWN_UNIT}); "
        "did you mean -0.20?",
    ),
    "drawdown-positive-percent": (threshold("drawdown", 20), "russell2000", "did you mean -0.20?"),
    "drawdown-positive-fraction": (threshold("drawdown", 0.2), "russell2000", "0.2 is outside the range of drawdown"),
    "drawdown-minus-one": (threshold("drawdown", -1), "russell2000", "did you mean -0.01?"),
    "rsi-300": (
        threshold("rsi", 300),
        "russell2000",
        f"[event] level: 300 is outside the range of rsi: it must lie in [0, 100] ({RSI_UNIT})",
    ),
    "rsi-negative": (threshold("rsi", -5), "russell2000", "-5 is outside the range of rsi: it must lie in [0, 100]"),
    "rate-of-change-in-percent": (
        threshold("rate_of_change", -5),
        "russell2000",
        f"[event] level: -5 is outside the range of rate_of_change: it must be > -1 ({ROC_UNIT}); did you mean -0.05?",
    ),
    "sma-negative": (
        threshold("sma", -5),
        "russell2000",
        "[event] level: -5 is outside the range of sma: it must be > 0 (the series' own price units",
    ),
    "close-zero": (threshold("close", 0), "russell2000", "0 is outside the range of close: it must be > 0"),
    "relative-volume-negative": (
        threshold("relative_volume", -1.5, "above", 'series = "RUT"\n'),
        "russell2000",
        "-1.5 is outside the range of relative_volume: it must be >= 0 (a ratio: 1.5 = 50% above its average",
    ),
    # a level at an edge the indicator can never pass
    "rsi-below-0": (
        threshold("rsi", 0),
        "russell2000",
        f'[event] level: rsi is never below 0 ({RSI_UNIT}), so cross = "below" 0 can never fire: no event can be found',
    ),
    "rsi-above-100": (threshold("rsi", 100, "above"), "russell2000", "rsi is never above 100"),
    "drawdown-above-0": (
        threshold("drawdown", 0, "above"),
        "russell2000",
        f'[event] level: drawdown is never above 0 ({DRAWDOWN_UNIT}), so cross = "above" 0 can never fire',
    ),
    "relative-volume-below-0": (
        threshold("relative_volume", 0, "below", 'series = "RUT"\n'),
        "russell2000",
        "relative_volume is never below 0",
    ),
    # filters and a variant's filters
    "filter-rsi-150": (CROSS + a_filter("rsi", "<=", 150), "russell2000", "[filters 1] level: 150 is outside"),
    "filter-rsi-above-100": (
        CROSS + a_filter("rsi", ">", 100),
        "russell2000",
        f"[filters 1] level: rsi is never above 100 ({RSI_UNIT}), so `rsi > 100` never holds: no event can pass "
        "this filter",
    ),
    "filter-drawdown-in-percent": (
        CROSS + a_filter("drawdown", ">=", -10),
        "russell2000",
        "[filters 1] level: -10 is outside the range of drawdown: it must lie in (-1, 0]",
    ),
    "variant-filter-in-percent": (
        CROSS + '\n[[variants]]\nname = "v"\n' + a_filter("rate_of_change", "<", -5, table="variants.filters"),
        "russell2000",
        "[variants 1 filters 1] level: -5 is outside the range of rate_of_change: it must be > -1 "
        f"({ROC_UNIT}); did you mean -0.05?",
    ),
    # series names the catalog does not know
    "series-name": (
        CROSS,
        "russel2000",
        "[series] name: unknown series 'russel2000' (did you mean 'russell2000'?); known: russell2000, ",
    ),
    "benchmark": (
        CROSS + '\n[benchmark]\nrelative_to = "SPX"\n',
        "russell2000",
        "[benchmark] relative_to: unknown series 'SPX'",
    ),
    "line-series": (
        threshold("level", 30, "above", 'series = "VIXX"\n'),
        "SPY",
        "[event] series: unknown series 'VIXX' (did you mean 'VIX'?)",
    ),
    "against-series": (
        '[event]\nkind = "line_cross"\nindicator = "close"\nagainst = "level"\nagainst_series = "NOPE"\n',
        "russell2000",
        "[event] against_series: unknown series 'NOPE'; known:",
    ),
    "filter-series": (
        CROSS + a_filter("level", "<", 30, extra='series = "VIX30"\n'),
        "russell2000",
        "[filters 1] series: unknown series 'VIX30'",
    ),
    "variant-series": (
        CROSS + '\n[[variants]]\nname = "v"\nseries = "RU1000"\n',
        "russell2000",
        "[variants 1] series: unknown series 'RU1000'",
    ),
    "variant-relative-to": (
        CROSS + '\n[[variants]]\nname = "v"\nrelative_to = "SPYY"\n',
        "russell2000",
        "[variants 1] relative_to: unknown series 'SPYY' (did you mean 'SPY'?)",
    ),
    "variant-filter-series": (
        CROSS + '\n[[variants]]\nname = "v"\n' + a_filter("change", "<", 0, "variants.filters", 'series = "TNY"\n'),
        "russell2000",
        "[variants 1 filters 1] series: unknown series 'TNY'",
    ),
    "fact-series": (
        CROSS
        + '\n[[facts]]\nstatement = "s"\nfigure = 0.01\nperiod = ["2025-06-30", "2025-07-31"]\nseries = "SP500"\n',
        "russell2000",
        "[facts 1] series: unknown series 'SP500'",
    ),
    "published-series": (
        CROSS + '\n[[published]]\nsource = "s"\nwhat = "w"\nfigures = { "3m" = 0.02 }\nseries = "DOW"\n',
        "russell2000",
        "[published 1] series: unknown series 'DOW'",
    ),
    # dates no event can follow
    "start-after-the-data": (
        CROSS + '\n[rules]\nstart = "2030-01-01"\n',
        "russell2000",
        "[rules] start: 2030-01-01 is after the last close of russell2000 ({last}): no event can be found",
    ),
    "end-before-the-data": (
        CROSS + '\n[rules]\nend = "1950-01-01"\n',
        "russell2000",
        "[rules] end: 1950-01-01 is before the first close of russell2000 ({first}): no event can be found",
    ),
    "variant-start": (
        CROSS + '\n[[variants]]\nname = "v"\nstart = 2031-01-01\n',
        "russell2000",
        "[variants 1] start: 2031-01-01 is after the last close of russell2000 ({last})",
    ),
    "variant-series-ends-before-the-start": (
        CROSS + '\n[rules]\nstart = "2020-01-01"\n\n[[variants]]\nname = "v"\nseries = "russell2000-tr"\n',
        "russell2000",
        "[variants 1] series: [rules] start 2020-01-01 is after the last close of russell2000-tr (2019-01-10): "
        "no event can be found",
    ),
    "published-start": (
        CROSS + '\n[[published]]\nsource = "s"\nwhat = "w"\nfigures = { "3m" = 0.02 }\nstart = "2030-01-01"\n',
        "russell2000",
        "[published 1] start: 2030-01-01 is after the last close of russell2000",
    ),
    # misspelled keys and tables
    "misspelled-key": (
        '[event]\nkind = "threshold"\nindicator = "rsi"\nwindw = 14\nlevel = 30\n',
        "russell2000",
        "[event] windw: unknown key (known: cross, indicator, kind, level, series, window); did you mean `window`?",
    ),
    "misspelled-required-key": (
        '[event]\nkind = "threshold"\nindicator = "rsi"\nlevle = 30\n',
        "russell2000",
        "[event] levle: unknown key; did you mean `level`?",
    ),
    "misspelled-table": (CROSS + '\n[rule]\nstart = "1990-01-01"\n', "russell2000", "); did you mean `rules`?"),
}


@pytest.fixture(scope="module")
def russell2000_span() -> dict[str, str]:
    """The first and last close of russell2000 as the full loader reads them (the default
    data source, as the tests' ``world`` leaves it)."""
    series = load_series("russell2000")
    return {"first": f"{series.first_date:%Y-%m-%d}", "last": f"{series.last_date:%Y-%m-%d}"}


@pytest.mark.parametrize("case", list(UNTESTABLE), ids=list(UNTESTABLE))
def test_claim_check_refuses_a_claim_that_could_never_be_tested(
    case: str, world: Path, cli: CLI, russell2000_span: dict[str, str]
) -> None:
    body, series, fragment = UNTESTABLE[case]
    spec = write_spec(world, body, series)
    before = snapshot_tree(world)
    code, out, err = cli("claim", "check", spec)
    assert code == 2 and out == ""
    line = error_line(err)
    assert line.startswith(f"error: {spec}: ")
    assert fragment.format(**russell2000_span) in line, line
    assert_unchanged(before, world)


@pytest.mark.parametrize("case", list(UNTESTABLE), ids=list(UNTESTABLE))
def test_load_spec_refuses_a_claim_that_could_never_be_tested(
    case: str, tmp_path: Path, russell2000_span: dict[str, str]
) -> None:
    body, series, fragment = UNTESTABLE[case]
    spec = write_spec(tmp_path, body, series)
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    assert str(info.value).startswith(f"{spec}: ") and fragment.format(**russell2000_span) in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("case", ["drawdown-in-percent", "series-name", "start-after-the-data", "filter-rsi-above-100"])
def test_claim_run_refuses_it_before_any_work(
    case: str, world: Path, cli: CLI, russell2000_span: dict[str, str]
) -> None:
    body, series, fragment = UNTESTABLE[case]
    spec = write_spec(world, body, series)
    before = snapshot_tree(world)
    code, out, err = cli("claim", "run", spec, "--output-dir", "out", "--draws", "50", "--paths", "0")
    assert code == 2 and out == ""
    assert fragment.format(**russell2000_span) in error_line(err)
    assert "data:" not in err  # refused while the spec is read
    assert_unchanged(before, world)


REACHABLE = {
    "rsi-below-100": threshold("rsi", 100),  # RSI is 100 after only gains: it can fall below 100
    "rsi-above-0": threshold("rsi", 0, "above"),
    "drawdown-below-0": threshold("drawdown", 0),  # the first fall from a peak
    "drawdown-fraction": threshold("drawdown", -0.2),
    "rate-of-change-500-percent": threshold("rate_of_change", 5, "above"),  # unusual, but a level it can take
    "zscore-any": threshold("zscore", -40),
    "relative-volume-above-0": threshold("relative_volume", 0, "above", 'series = "RUT"\n'),
    "filters-at-a-closed-edge": CROSS + a_filter("rsi", "<=", 0) + a_filter("drawdown", ">=", 0),
    "start-on-a-weekend-before-the-end": CROSS + '\n[rules]\nstart = "2026-02-14"\n',
    "series-by-symbol-any-case": CROSS
    + '\n[benchmark]\nrelative_to = "^rut"\n\n[[variants]]\nname = "v"\nseries = "spy"\n',
}


@pytest.mark.parametrize("case", list(REACHABLE), ids=list(REACHABLE))
def test_levels_and_dates_a_claim_can_reach_pass(case: str, world: Path, cli: CLI) -> None:
    spec = write_spec(world, REACHABLE[case])
    code, out, err = cli("claim", "check", spec)
    assert code == 0, err
    assert ": ok:" in out


# -- the data the run will read ---------------------------------------------------------------


def test_claim_check_reads_the_catalog_of_its_data_dir(world: Path, cli: CLI) -> None:
    """WAVE is a file of the world's data directory only: unknown to the default source,
    known with --data-dir, and its span comes from that file (through the cached loader)."""
    spec = write_spec(world, CROSS, series="WAVE")
    code, out, err = cli("claim", "check", spec)
    assert code == 2 and "[series] name: unknown series 'WAVE'; known: russell2000" in error_line(err)
    code, out, err = cli("claim", "check", spec, "--data-dir", "data")
    assert code == 0, err
    last = wave_rows()[-1].split(",")[0]
    late = write_spec(world, CROSS + '\n[rules]\nstart = "2030-01-01"\n', series="WAVE", name="late.toml")
    before = snapshot_tree(world)
    code, out, err = cli("claim", "check", late, "--data-dir", "data")
    assert code == 2
    assert f"[rules] start: 2030-01-01 is after the last close of WAVE ({last}): no event can be found" in error_line(
        err
    )
    assert_unchanged(before, world)


def test_a_spec_built_in_code_is_checked_against_the_data_dir_it_is_given(world: Path) -> None:
    tables = {
        "claim": {"title": "t", "statement": "s"},
        "series": {"name": "WAVE"},
        "event": {"kind": "ma_cross", "fast": 5, "slow": 20},
    }
    assert spec_from_dict(tables, data_dir=world / "data").series == "WAVE"
    with pytest.raises(SpecError, match=r"^<code>: \[series\] name: unknown series 'WAVE'"):
        spec_from_dict(tables)


@pytest.fixture
def built_in_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No data directory anywhere: the built-in dataset is the source."""
    monkeypatch.delenv("BACKTEST_DATA_DIR", raising=False)
    monkeypatch.setattr(data_sources, "default_data_dir", lambda: tmp_path / "shared" / "data")
    monkeypatch.setattr(data_sources, "user_data_dir", lambda: tmp_path / "user")
    monkeypatch.chdir(tmp_path)


def test_claim_check_works_on_the_built_in_dataset(built_in_only: None, tmp_path: Path, cli: CLI) -> None:
    assert data_sources.resolve_data_source().kind == "built-in"
    last = f"{load_series('russell2000').last_date:%Y-%m-%d}"
    code, out, err = cli("claim", "check", write_spec(tmp_path, RSI_EVENT))
    assert code == 0, err
    late = write_spec(tmp_path, RSI_EVENT + '\n[rules]\nstart = "2030-01-01"\n', name="late.toml")
    code, out, err = cli("claim", "check", late)
    assert code == 2 and f"after the last close of russell2000 ({last})" in error_line(err)
    code, out, err = cli("claim", "check", write_spec(tmp_path, RSI_EVENT, series="SPYX", name="x.toml"))
    assert code == 2 and "unknown series 'SPYX' (did you mean 'SPY'?)" in error_line(err)


def test_the_built_in_provenance_gives_the_span_the_loader_reads(built_in_only: None) -> None:
    for name in list_series()["name"]:
        series = load_series(name)
        assert series_span(name) == (series.first_date, series.last_date), name


def test_check_series_name_reads_no_data_file(tmp_path: Path) -> None:
    (tmp_path / "yahoo").mkdir()
    (tmp_path / "yahoo" / "GARBAGE.csv").write_bytes(b"\x00\xff not a price file")
    assert check_series_name("garbage", tmp_path) == "GARBAGE"
    assert check_series_name("^rut", tmp_path) == "RUT" and check_series_name("Russell2000", tmp_path) == "russell2000"
    with pytest.raises(ParameterError, match=r"^unknown series 'russel2000' \(did you mean 'russell2000'\?\); known: "):
        check_series_name("russel2000", tmp_path)
    with pytest.raises(ParameterError, match=r"^unknown series 'nosuchseries'; known: russell2000"):
        check_series_name("nosuchseries", tmp_path)


def test_a_look_at_the_span_is_not_announced_as_a_load(world: Path) -> None:
    heard: list[object] = []
    with listening_to_loads(heard.append):
        load_spec(write_spec(world, CROSS + '\n[[variants]]\nname = "v"\nseries = "SPY"\n'))
    assert heard == []


# -- the committed specs ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", COMMITTED_SPECS, ids=[p.name for p in COMMITTED_SPECS])
def test_every_committed_spec_passes_claim_check(path: Path, cli: CLI) -> None:
    code, out, err = cli("claim", "check", path)
    assert code == 0, err
    assert out.startswith(f"{path}: ok:")


def test_checking_a_spec_against_the_data_is_cheap_once_the_data_are_cached() -> None:
    """The span of each series comes from the cached validated files: checking the headline
    study's spec (a splice, five other series) again takes milliseconds, not a load."""
    from backtest.claims.jobs import load_job

    path = ROOT / "studies" / "russell2000_golden_cross.toml"
    load_job(path)
    started = time.perf_counter()
    load_job(path)
    assert time.perf_counter() - started < 1.0
