"""The comparison the study and gallery tests make with the committed results
(``summary_differences``): it lets Monte Carlo numbers move within their standard errors and
catches every other change, on the committed headline summary altered by hand."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.studies.report_checks import RULES, may_cross, p_tolerance, summary_differences

COMMITTED = Path(__file__).resolve().parents[2] / "results" / "russell2000_golden_cross" / "summary.json"


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    return json.loads(COMMITTED.read_text())


def _with_few_draws(summary: dict[str, Any], draws: int = 10_000) -> dict[str, Any]:
    """The summary as a run with ``draws`` random-entry draws records it (values unchanged)."""
    ours = copy.deepcopy(summary)
    ours["parameters"]["n_draws"] = ours["statistics"]["parameters"]["n_draws"] = draws
    for horizon in ours["statistics"]["horizons"]:
        for tests in horizon["random_entry"].values():
            for test in tests.values():
                test["n_null"] = draws
    return ours


def _random_entry(summary: dict[str, Any], index: int = 2) -> dict[str, Any]:
    return summary["statistics"]["horizons"][index]["random_entry"]["plain"]["mean"]


def test_the_same_summary_and_fewer_draws_alone_differ_in_nothing(committed: dict[str, Any]) -> None:
    assert summary_differences(committed, copy.deepcopy(committed)) == []
    assert summary_differences(committed, _with_few_draws(committed)) == []
    more = _with_few_draws(committed, draws=committed["parameters"]["n_draws"] + 1)
    assert [line.split(" ")[0] for line in summary_differences(committed, more)][:2] == [
        "parameters.n_draws",
        "statistics.horizons.0.random_entry.plain.hit_rate.n_null",
    ]


@pytest.mark.parametrize(
    "path",
    [
        ("primary", "pvalue"),
        ("events", "n"),
        ("conclusion", "overall"),
        ("robustness", "specifications", 3, "pvalue"),
        ("statistics", "horizons", 1, "tests", "hac_mean", "pvalue"),
        ("statistics", "horizons", 1, "pvalues_holm", "hac_mean"),
        ("power", "formula_mde"),
    ],
)
def test_a_number_no_random_draw_reaches_must_be_exactly_equal(committed: dict[str, Any], path: tuple) -> None:
    ours = _with_few_draws(committed)
    node = ours
    for key in path[:-1]:
        node = node[key]
    value = node[path[-1]]
    if isinstance(value, float):  # last-bit noise of another CPU passes, a change in the 8th digit does not
        node[path[-1]] = value * (1 + 1e-13)
        assert summary_differences(committed, ours) == []
        node[path[-1]] = value * (1 + 1e-7) + 1e-12
    else:
        node[path[-1]] = f"{value}!" if isinstance(value, str) else value + 1
    (problem,) = summary_differences(committed, ours)
    assert problem.startswith(".".join(map(str, path)) + " (exact")


def test_a_monte_carlo_p_moves_within_its_standard_errors_and_no_further(committed: dict[str, Any]) -> None:
    p = _random_entry(committed)["pvalue"]
    tolerance = p_tolerance(p, 10_000, committed["parameters"]["n_draws"])
    assert 0.02 < tolerance < 0.03  # 5 SEs of the difference at p ~ 0.4, plus the 1/(n+1) step
    for shift, differences in ((0.9 * tolerance, 0), (1.1 * tolerance, 1)):
        ours = _with_few_draws(committed)
        _random_entry(ours)["pvalue"] = p + shift
        assert len(summary_differences(committed, ours)) == differences


def _near_alpha(summary: dict[str, Any], p: float = 0.06) -> dict[str, Any]:
    """Horizon 2's random-entry p (raw and Holm) set to ``p``, wherever the summary holds it."""
    near = copy.deepcopy(summary)
    horizon = near["statistics"]["horizons"][2]
    horizon["pvalues"]["random_entry.plain.mean"] = horizon["pvalues_holm"]["random_entry.plain.mean"] = p
    horizon["random_entry"]["plain"]["mean"]["pvalue"] = horizon["random_entry"]["plain"]["mean"]["pvalue_greater"] = p
    horizon["verdicts"]["B"]["evidence"]["random_entry_pvalue_holm"] = p
    return near


def test_question_b_may_flip_only_where_its_monte_carlo_p_may_cross_alpha(committed: dict[str, Any]) -> None:
    ours = _with_few_draws(committed)
    assert ours["statistics"]["horizons"][2]["pvalues"]["random_entry.plain.mean"] > 0.3  # far from alpha
    ours["statistics"]["horizons"][2]["verdicts"]["B"]["outcome"] = "supported"
    assert [line.split(" ")[0] for line in summary_differences(committed, ours)] == [
        "statistics.horizons.2.verdicts.B.outcome"
    ]
    # a committed p next to alpha: either outcome is an honest result of fewer draws
    near, ours = _near_alpha(committed), _with_few_draws(_near_alpha(committed))
    ours["statistics"]["horizons"][2]["verdicts"]["B"]["outcome"] = "supported"
    assert summary_differences(near, ours) == []


def test_a_holm_p_crosses_alpha_only_from_within_its_tolerance() -> None:
    sizes = (10_000, 100_000)
    assert not may_cross(0.7, 0.35, 0.05, 5, sizes)  # its raw p is far above alpha
    assert may_cross(0.07, 0.06, 0.05, 5, sizes) and may_cross(0.2, 0.2 / 5, 0.05, 5, sizes)
    assert not may_cross(0.001, 0.0002, 0.05, 5, sizes) and may_cross(0.04, 0.01, 0.05, 5, sizes)


def test_the_detectable_drift_moves_within_its_stated_errors(committed: dict[str, Any]) -> None:
    power = committed["power"]
    ours = copy.deepcopy(committed)
    ours["power"]["detectable_drift"] = power["detectable_drift"] + 3 * power["detectable_drift_se"]
    ours["power"]["bracket"] = [ours["power"]["detectable_drift"] - 0.001, ours["power"]["detectable_drift"]]
    assert summary_differences(committed, ours) == []
    ours["power"]["detectable_drift"] = power["detectable_drift"] + 0.05
    assert {line.split(" ")[0] for line in summary_differences(committed, ours)} == {
        "power.detectable_drift",
        "power.bracket",
    }


def test_every_rule_names_a_check_and_says_why() -> None:
    from tests.studies.report_checks import CHECKS

    assert all(rule.check in CHECKS and rule.why for rule in RULES)
    assert len({rule.pattern for rule in RULES}) == len(RULES)
