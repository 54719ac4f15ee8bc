"""Checks every event-study report shares (all four studies and the gallery come from the one
claim template): the numbers in report.md are formatted values of summary.json or events.csv,
summary.json meets the claim schema, the files of the claim path are written; and a report
regenerated with few Monte Carlo draws against the committed one, number by number
(``check_against_committed``: exact (to 9 digits) where no random number is drawn, within
Monte Carlo standard errors where one is; ``RULES`` lists which and why)."""

from __future__ import annotations

import fnmatch
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd

from backtest.claims import SCHEMA_PATH
from backtest.claims.run import VARIANT_N_DRAWS, VARIANT_N_PATHS

CLAIM_FILES = {
    "report.md",
    "report.html",
    "events.csv",
    "summary.json",
    "claim.toml",
    "events.png",
    "event_paths.png",
    "null_distributions.png",
    "hit_rates.png",
}


def formatted_values(summary: dict, events: pd.DataFrame) -> set[str]:
    """Every way a report formats a number that exists in summary.json or events.csv."""
    numbers: list[float] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            numbers.append(float(node))

    walk(summary)
    numbers += [float(v) for v in events.select_dtypes("number").to_numpy().ravel() if pd.notna(v)]
    out: set[str] = set()
    for value in numbers:
        for digits in (0, 1, 2):
            out.add(f"{value:.{digits}%}")
            out.add(f"{value:+.{digits}%}")
        out.add(f"{value:.3f}")
    return out


def _without_verdict_rules(report: str) -> str:
    """report.md without its verdict-rules section (up to the next heading), which quotes the
    rules' thresholds rather than results."""
    head, _, rest = report.partition("### Verdict rules")
    following = re.search(r"^#{1,3} ", rest, re.MULTILINE)
    return head + (rest[following.start() :] if following else "")


def check_report_numbers(folder: Path, minimum: int) -> None:
    """Every percentage with decimals and every p-value in report.md (outside the verdict-rules
    text, which quotes thresholds) is a value of summary.json or events.csv."""
    summary = json.loads((folder / "summary.json").read_text())
    events = pd.read_csv(folder / "events.csv")
    known = formatted_values(summary, events)
    report = _without_verdict_rules((folder / "report.md").read_text())
    tokens = re.findall(r"[+-]?\d[\d,]*\.\d+%", report) + re.findall(r"p = (\d\.\d{3})", report)
    assert len(tokens) > minimum
    missing = sorted({token for token in tokens if token not in known})
    assert not missing, f"numbers in report.md not found in summary.json/events.csv: {missing[:20]}"


def check_claim_folder(folder: Path, extra: set[str] = frozenset()) -> dict:
    """The files of the claim path, figures embedded in the HTML, summary.json valid; returns it."""
    assert CLAIM_FILES | extra <= {p.name for p in folder.iterdir()}
    html = (folder / "report.html").read_text()
    # every PNG is in the page: embedded, or replaced by its interactive twin (report.md keeps the PNGs)
    pngs = sorted(p.name for p in folder.glob("*.png"))
    assert len(pngs) >= 4 + len(extra)
    assert not [name for name in pngs if f'src="{name}"' in html]
    assert html.count("data:image/png;base64,") + html.count('<figure class="interactive">') >= len(pngs)
    markdown_page = (folder / "report.md").read_text()
    assert all(f"]({name})" in markdown_page for name in pngs)
    summary = json.loads((folder / "summary.json").read_text())
    jsonschema.validate(summary, json.loads(SCHEMA_PATH.read_text()), cls=jsonschema.Draft202012Validator)
    report = (folder / "report.md").read_text()
    assert report.index("## Answer in brief") < report.index("## 1. The claim")
    assert f"**Verdict on the claim: {summary['conclusion']['overall']}.**" in report
    events = pd.read_csv(folder / "events.csv")
    assert {"event_date", *(f"ret_{label}" for label in summary["claim"]["horizons"])} <= set(events.columns)
    return summary


def check_anecdotal_marks(folder: Path) -> None:
    """Every 'n=' cell below 10 is marked anecdotal, and only those."""
    counts = re.findall(r"n=(\d+)( \(anecdotal\))?", (folder / "report.md").read_text())
    assert counts
    for number, mark in counts:
        assert bool(mark) == (int(number) < 10), f"n={number}{mark}"


# --- the committed results, checked by their numbers -------------------------------------------
#
# A claim's verdict rests on exact computations: the events and their returns, the primary test
# (every circular shift, or the year-level t-test), the leave-one-year-out and specification
# rows, the classical tests. None of them draws a random number, so a study regenerated with
# few Monte Carlo draws gives exactly the committed values of all of them. Only the secondary
# Monte Carlo rows (random-entry draws, bootstrapped paths, simulated power) move with the number
# of draws: those are compared within K of their Monte Carlo standard errors (of the difference
# of two estimates, one from the committed run's draws and one from the test's).

FEW_DRAWS = {"n_draws": VARIANT_N_DRAWS, "n_paths": VARIANT_N_PATHS, "n_power_paths": 40}
"""Monte Carlo sizes of the regenerations the tests compare with the committed results. The
variants' own sizes (``VARIANT_N_DRAWS``, ``VARIANT_N_PATHS``), so a variant row's Monte Carlo is
the committed one draw for draw; a claim's own random-entry p then lands within +-0.026 of the
committed one at p = 0.5 (K SEs), its bootstrapped-path p within +-0.18, and the simulated
power's detectable drift within K of its stated SE on 40 paths (about 2.2 times the SE on the
committed 200)."""

K = 5.0
"""Monte Carlo standard errors a number estimated by simulation may stray from the committed
one (normal tails: 6e-7 per comparison, so a few hundred correlated comparisons per summary
almost never fail by chance after an honest change of the random streams)."""

MONTE_CARLO_NOTES = (
    re.compile(r"random-entry test and the plain one disagree at alpha"),
    re.compile(r"^at zero drift the test rejects"),
)
"""Notes whose presence depends on Monte Carlo p-values (a matched random-entry variant and the
plain one either side of alpha; the simulated size outside its binomial band)."""


@dataclass(frozen=True)
class Rule:
    """How the numbers at ``pattern`` (a dotted path in summary.json; ``*`` one key or list
    index, ``**`` any number of them) are compared: ``check`` names a function of ``CHECKS``;
    ``size`` the Monte Carlo size the value was estimated from (a key of summary.json's
    ``parameters``, or ``.key`` for a key of the value's own parent)."""

    pattern: str
    check: str
    why: str
    size: str = ""


RULES: tuple[Rule, ...] = (
    # Monte Carlo sizes: what the run asked for, never more than the committed run's
    Rule("parameters.n_draws", "size", "random-entry draws of the run"),
    Rule("parameters.n_paths", "size", "bootstrapped paths of the run"),
    Rule("parameters.n_power_paths", "size", "simulated-power paths of the run"),
    Rule("parameters.variant_n_draws", "size", "random-entry draws of each variant: min(n_draws, 10,000)"),
    Rule("parameters.variant_n_paths", "size", "bootstrapped paths of each variant: min(n_paths, 250)"),
    Rule("statistics.parameters.n_draws", "size", "the same draws, as the statistics record them"),
    Rule("statistics.parameters.n_paths", "size", "the same paths, as the statistics record them"),
    Rule("power.parameters.n_paths", "size", "the same power paths, as the power records them"),
    Rule("statistics.horizons.*.random_entry.*.*.n_null", "size", "draws or paths behind one Monte Carlo test"),
    Rule("statistics.horizons.*.bootstrap_paths.*.n_null", "size", "paths behind one bootstrapped-path test"),
    # the secondary Monte Carlo tests of each horizon (random entry: 2 variants x 4 statistics;
    # bootstrapped paths: 3 statistics): p-values, the null's moments and the percentile
    Rule("statistics.horizons.*.random_entry.*.*.pvalue_two_sided", "p_two_sided", "random-entry p", ".n_null"),
    Rule("statistics.horizons.*.random_entry.*.*.pvalue*", "p", "random-entry p (share of draws)", ".n_null"),
    Rule("statistics.horizons.*.random_entry.*.*.percentile", "percentile", "the same share, in %", ".n_null"),
    Rule("statistics.horizons.*.random_entry.*.*.null_mean", "null_mean", "mean of the draws", ".n_null"),
    Rule("statistics.horizons.*.random_entry.*.*.null_std", "null_std", "SD of the draws", ".n_null"),
    Rule("statistics.horizons.*.bootstrap_paths.*.pvalue_two_sided", "p_two_sided", "path p", ".n_null"),
    Rule("statistics.horizons.*.bootstrap_paths.*.pvalue*", "p", "bootstrapped-path p (share of paths)", ".n_null"),
    Rule("statistics.horizons.*.bootstrap_paths.*.percentile", "percentile", "the same share, in %", ".n_null"),
    Rule("statistics.horizons.*.bootstrap_paths.*.null_mean", "null_mean", "mean over the paths", ".n_null"),
    Rule("statistics.horizons.*.bootstrap_paths.*.null_std", "null_std", "SD over the paths", ".n_null"),
    # the same p-values in the per-horizon tables, before and after Holm's adjustment (the
    # classical tests in those tables are exact)
    Rule("statistics.horizons.*.pvalues*.random_entry*", "p_or_holm", "random-entry p", "n_draws"),
    Rule("statistics.horizons.*.pvalues*.bootstrap_paths*", "p_or_holm", "bootstrapped-path p", "n_paths"),
    Rule("statistics.horizons.*.verdicts.B.evidence.random_entry_pvalue_holm", "holm", "Holm p", "n_draws"),
    Rule("statistics.horizons.*.verdicts.B.evidence.bootstrap_path_pvalue_holm", "holm", "Holm p", "n_paths"),
    # question B per horizon (secondary) reads those two Holm p-values against alpha
    Rule("statistics.horizons.*.verdicts.B.outcome", "verdict_b", "from two Monte Carlo Holm p-values"),
    Rule("statistics.horizons.*.verdicts.B.rule", "verdict_b", "the rule text follows the outcome"),
    Rule("statistics.horizons.*.notes", "notes", "a matched random-entry variant vs the plain one at alpha"),
    Rule("conclusion.question_b.*", "verdict_b", "the per-horizon outcomes of question B, gathered"),
    Rule("conclusion.beyond_random_entry_at", "labels_b", "the horizons where question B is supported"),
    # robustness variants: the same Monte Carlo p-values and question B, one row each
    Rule("variants.*.horizons.*.random_entry_p", "p", "random-entry p of the variant", "variant_n_draws"),
    Rule("variants.*.horizons.*.random_entry_p_holm", "holm", "Holm random-entry p", "variant_n_draws"),
    Rule("variants.*.horizons.*.bootstrap_paths_p_holm", "holm", "Holm path p", "variant_n_paths"),
    Rule("variants.*.horizons.*.verdict_b", "verdict_b", "from the two Holm p-values of the row"),
    # simulated power: drift planted in bootstrapped paths (the formula MDE is exact)
    Rule("power.detectable_drift", "detectable_drift", "bisection on simulated power", "n_power_paths"),
    Rule("power.detectable_drift_se", "positive", "its Monte Carlo SE (shrinks as 1/sqrt(paths))"),
    Rule("power.bracket", "bracket", "the grid interval where power crosses the target"),
    Rule("power.curve", "power_curve", "power at each drift: shares of paths", "n_power_paths"),
    Rule("power.size", "p", "power at zero drift: a share of paths", "n_power_paths"),
    Rule("power.notes", "notes", "the simulated size outside its binomial band"),
)
"""Every number of a claim's summary.json that depends on the number of Monte Carlo draws, and
how it is compared. Everything else (events, dates, returns, means, the primary test and its p
in both tails, the robustness rows and fragility, the classical tests, the overall verdict,
calibration read from the cache, facts, data provenance) must be equal (``_check_exact``)."""


def p_tolerance(p: float, n_a: int, n_b: int) -> float:
    """K standard errors of the difference of two Monte Carlo estimates of the proportion ``p``
    from ``n_a`` and ``n_b`` draws (independent estimates: the larger variance, conservative
    when they share draws), plus the 1/(n+1) step of the coarser one; ``p`` is clipped to
    [1/n, 1 - 1/n] so an estimate of 0 or 1 is not taken as exact."""
    n = min(n_a, n_b)
    if not n:  # a test that did not run: nothing but its absence to compare
        return 0.0
    q = min(max(p, 1 / n), 1 - 1 / n)
    return K * math.sqrt(q * (1 - q) * (1 / n_a + 1 / n_b)) + 1 / (n + 1)


def may_cross(holm: float, raw: float, alpha: float, m: int, sizes: tuple[int, int]) -> bool:
    """Whether a Holm-adjusted Monte Carlo p (``holm``, of the raw ``raw`` in a family of
    ``m``) may land on the other side of ``alpha`` with the other run's draws. Above alpha it
    can only if its raw p may reach alpha (a Holm p is at least its raw p; at least holm / m
    when the raw p is not known); at or below alpha, only if Holm's multiplier m times the
    tolerance of the raw p-values it is made of (none above the Holm p) may carry it past."""
    if holm > alpha:
        return raw - p_tolerance(raw, *sizes) <= alpha
    return holm + m * p_tolerance(min(holm, 0.5), *sizes) > alpha


@dataclass(frozen=True)
class _At:
    """Where a comparison is: the path, the rule, and the two whole summaries."""

    path: tuple[str, ...]
    rule: Rule
    committed: dict
    regenerated: dict

    def node(self, root: object, path: Sequence[str]) -> Any:
        for part in path:
            root = root[int(part)] if isinstance(root, list) else root[part]  # type: ignore[index]
        return root

    def sizes(self) -> tuple[int, int]:
        """The Monte Carlo sizes behind the committed and the regenerated value."""
        if self.rule.size.startswith("."):
            key, parent = self.rule.size[1:], self.path[:-1]
            return int(self.node(self.committed, parent)[key]), int(self.node(self.regenerated, parent)[key])
        return int(self.committed["parameters"][self.rule.size]), int(self.regenerated["parameters"][self.rule.size])

    def family_size(self) -> int:
        """m of the Holm adjustment: the horizons of the table the value sits in (at most)."""
        cut = len(self.path) - 1 - self.path[::-1].index("horizons")
        return len(self.node(self.committed, self.path[: cut + 1]))

    def holm_tolerance(self) -> float:
        """Holm's adjustment is m-Lipschitz in the largest change of the m raw p-values, each
        within ``p_tolerance`` at its worst (p = 0.5)."""
        return self.family_size() * p_tolerance(0.5, *self.sizes())

    def b_is_ambiguous(self) -> bool:
        """Whether question B's committed outcome here may honestly come out the other way with
        fewer draws: one of its two Monte Carlo Holm p-values may cross alpha (``may_cross``)."""
        alpha = self.committed["statistics"]["parameters"]["alpha"]
        if self.path[0] == "variants":  # variants.<i>.horizons.<j>.verdict_b
            row = self.node(self.committed, self.path[:-1])
            table = self.path[:4]
            evidence = [
                (row["random_entry_p_holm"], row["random_entry_p"], "variant_n_draws"),
                (row["bootstrap_paths_p_holm"], None, "variant_n_paths"),  # its raw p is not kept
            ]
        else:
            table = ("statistics", "horizons")
            horizons = self.committed["statistics"]["horizons"]
            if self.path[0] == "conclusion":  # conclusion.question_b.<label>
                horizon = next(h for h in horizons if h["label"] == self.path[-1])
            else:  # statistics.horizons.<i>.verdicts.B.<key>
                horizon = horizons[int(self.path[2])]
            given, raw = horizon["verdicts"]["B"]["evidence"], horizon["pvalues"]
            evidence = [
                (given["random_entry_pvalue_holm"], raw["random_entry.plain.mean"], "n_draws"),
                (given["bootstrap_path_pvalue_holm"], raw.get("bootstrap_paths.mean"), "n_paths"),
            ]
        m = len(self.node(self.committed, table))
        for holm, raw, size in evidence:
            if holm is None or not math.isfinite(holm):
                continue
            sizes = int(self.committed["parameters"][size]), int(self.regenerated["parameters"][size])
            if may_cross(holm, holm / m if raw is None else raw, alpha, m, sizes):
                return True
        return False


def _both_none(committed: object, regenerated: object) -> str | None:
    return None if committed is None and regenerated is None else "one of them is missing"


def _close(committed: object, regenerated: object, tolerance: float) -> str | None:
    if committed is None or regenerated is None:
        return _both_none(committed, regenerated)
    difference = abs(float(regenerated) - float(committed))  # type: ignore[arg-type]
    return None if difference <= tolerance else f"differs by {difference:.4g} > {tolerance:.4g}"


def _check_size(committed: Any, regenerated: Any, at: _At) -> str | None:
    return None if regenerated == committed == 0 or 0 < regenerated <= committed else "not a smaller Monte Carlo"


def _check_p(committed: Any, regenerated: Any, at: _At) -> str | None:
    return _close(committed, regenerated, p_tolerance(committed or 0.0, *at.sizes()))


def _check_p_two_sided(committed: Any, regenerated: Any, at: _At) -> str | None:
    return _close(committed, regenerated, 2 * p_tolerance((committed or 0.0) / 2, *at.sizes()))


def _check_percentile(committed: Any, regenerated: Any, at: _At) -> str | None:
    return _close(committed, regenerated, 100 * p_tolerance(committed / 100, *at.sizes()))


def _check_null_mean(committed: Any, regenerated: Any, at: _At) -> str | None:
    n_a, n_b = at.sizes()
    std = at.node(at.committed, at.path[:-1])["null_std"]
    return _close(committed, regenerated, K * std * math.sqrt(1 / n_a + 1 / n_b))


def _check_null_std(committed: Any, regenerated: Any, at: _At) -> str | None:
    # SE of an SD is SD * sqrt((kurtosis - 1) / 4n): allows a kurtosis up to 9
    n_a, n_b = at.sizes()
    return _close(committed, regenerated, K * committed * math.sqrt(2 * (1 / n_a + 1 / n_b)))


def _check_holm(committed: Any, regenerated: Any, at: _At) -> str | None:
    return _close(committed, regenerated, at.holm_tolerance())


def _check_p_or_holm(committed: Any, regenerated: Any, at: _At) -> str | None:
    table = next(part for part in at.path if part.startswith("pvalues"))
    return (_check_holm if table == "pvalues_holm" else _check_p)(committed, regenerated, at)


def _check_verdict_b(committed: Any, regenerated: Any, at: _At) -> str | None:
    return None if committed == regenerated or at.b_is_ambiguous() else "question B's outcome changed"


def _check_labels_b(committed: Any, regenerated: Any, at: _At) -> str | None:
    horizons = at.committed["statistics"]["horizons"]
    ambiguous = {
        h["label"]
        for h in horizons
        if _At(("conclusion", "question_b", h["label"]), at.rule, at.committed, at.regenerated).b_is_ambiguous()
    }
    sure = [label for label in committed if label not in ambiguous]
    return None if sure == [label for label in regenerated if label not in ambiguous] else "labels changed"


def _check_notes(committed: Any, regenerated: Any, at: _At) -> str | None:
    def exact(notes: list[str]) -> list[str]:
        return [note for note in notes if not any(pattern.search(note) for pattern in MONTE_CARLO_NOTES)]

    return None if exact(committed) == exact(regenerated) else "notes other than Monte Carlo ones changed"


def _check_positive(committed: Any, regenerated: Any, at: _At) -> str | None:
    if committed is None or regenerated is None:
        return _both_none(committed, regenerated)
    return None if (committed > 0) == (regenerated > 0) else "positive in one run only"


def _width(power: dict) -> float:
    low, high = power.get("bracket") or (0.0, 0.0)
    return abs(float(high - low))


def _check_detectable_drift(committed: Any, regenerated: Any, at: _At) -> str | None:
    """Within K of the two stated SEs (each for its own number of paths), plus the width of
    each bisection bracket (the resolution the drift is found to)."""
    ours, theirs = at.regenerated["power"], at.committed["power"]
    if committed is None or regenerated is None:
        return _both_none(committed, regenerated)
    se = math.hypot(theirs["detectable_drift_se"], ours["detectable_drift_se"])
    return _close(committed, regenerated, K * se + _width(theirs) + _width(ours))


def _check_bracket(committed: Any, regenerated: Any, at: _At) -> str | None:
    drift = at.regenerated["power"]["detectable_drift"]
    if not regenerated or drift is None:
        return _both_none(committed or None, regenerated or None)
    return None if min(regenerated) <= drift <= max(regenerated) else "the bracket misses the detectable drift"


def _check_power_curve(committed: Any, regenerated: Any, at: _At) -> str | None:
    """Power at each drift both runs simulated (every grid point; the bisection's points move),
    within K SEs of a share of paths; mean events per path and the untestable share are
    by-products of the same paths and not compared."""
    sizes = at.sizes()
    ours = {point["drift"]: point["power"] for point in regenerated}
    grid = at.regenerated["power"]["parameters"]["grid"]
    if not set(grid) <= set(ours):
        return "a grid point is missing"
    for point in committed:
        if point["drift"] in ours:
            problem = _close(point["power"], ours[point["drift"]], p_tolerance(point["power"], *sizes))
            if problem:
                return f"at drift {point['drift']:.4f}: {problem}"
    return None


EXACT_RELATIVE = 1e-9
""""Exact" for a float: equal to 9 significant digits. The computations are the same, but a
committed number may come from another CPU, whose vectorised sums round differently in the
last bits (summary.json keeps 12 digits); a changed method moves numbers far more than this."""


def _check_exact(committed: Any, regenerated: Any, at: _At) -> str | None:
    if isinstance(committed, float) and isinstance(regenerated, float):
        return None if math.isclose(committed, regenerated, rel_tol=EXACT_RELATIVE, abs_tol=1e-15) else "differs"
    return None if committed == regenerated else "differs"


CHECKS: dict[str, Callable[[Any, Any, _At], str | None]] = {
    "exact": _check_exact,
    "size": _check_size,
    "p": _check_p,
    "p_two_sided": _check_p_two_sided,
    "percentile": _check_percentile,
    "null_mean": _check_null_mean,
    "null_std": _check_null_std,
    "holm": _check_holm,
    "p_or_holm": _check_p_or_holm,
    "verdict_b": _check_verdict_b,
    "labels_b": _check_labels_b,
    "notes": _check_notes,
    "positive": _check_positive,
    "detectable_drift": _check_detectable_drift,
    "bracket": _check_bracket,
    "power_curve": _check_power_curve,
}


def _matches(pattern: Sequence[str], path: Sequence[str]) -> bool:
    if not pattern:
        return not path
    if pattern[0] == "**":
        return any(_matches(pattern[1:], path[i:]) for i in range(len(path) + 1))
    return bool(path) and fnmatch.fnmatchcase(path[0], pattern[0]) and _matches(pattern[1:], path[1:])


_EXACT = Rule("**", "exact", "not a Monte Carlo number")


def summary_differences(committed: dict, regenerated: dict) -> list[str]:
    """Where ``regenerated`` (a claim's summary.json, maybe with fewer Monte Carlo draws)
    departs from ``committed`` by ``RULES``: one line per departure, empty when none."""
    problems: list[str] = []

    def walk(ours: object, theirs: object, path: tuple[str, ...]) -> None:
        rule = next((r for r in RULES if _matches(r.pattern.split("."), path)), None)
        if rule is None and isinstance(theirs, dict) and isinstance(ours, dict):
            if set(theirs) != set(ours):
                problems.append(f"{'.'.join(path)}: keys {sorted(set(theirs) ^ set(ours))} in one summary only")
            for key in sorted(set(theirs) & set(ours)):
                walk(ours[key], theirs[key], (*path, key))
            return
        if rule is None and isinstance(theirs, list) and isinstance(ours, list):
            if len(theirs) != len(ours):
                problems.append(f"{'.'.join(path)}: {len(theirs)} committed items, {len(ours)} regenerated")
                return
            for index, (mine, their) in enumerate(zip(ours, theirs)):
                walk(mine, their, (*path, str(index)))
            return
        rule = rule or _EXACT
        problem = CHECKS[rule.check](theirs, ours, _At(path, rule, committed, regenerated))
        if problem:
            problems.append(
                f"{'.'.join(path)} ({rule.check}: {rule.why}): committed {theirs!r:.80}, regenerated {ours!r:.80}: {problem}"
            )

    walk(regenerated, committed, ())
    return problems


def check_against_committed(regenerated: Path, committed: Path) -> dict:
    """A claim's report folder regenerated (maybe with fewer Monte Carlo draws) against the
    committed one: the same files, events.csv the same values, summary.json by ``RULES``.
    Returns the regenerated summary."""
    ours = json.loads((regenerated / "summary.json").read_text())
    theirs = json.loads((committed / "summary.json").read_text())
    regenerate = f"regenerate with `backtest study` / `make claims` and commit {committed.name}"
    assert sorted(p.name for p in regenerated.iterdir()) == sorted(p.name for p in committed.iterdir()), regenerate
    pd.testing.assert_frame_equal(
        pd.read_csv(regenerated / "events.csv"),
        pd.read_csv(committed / "events.csv"),
        rtol=EXACT_RELATIVE,
        obj=regenerate,
    )
    problems = summary_differences(theirs, ours)
    assert not problems, (
        f"{len(problems)} numbers of {committed.name}/summary.json differ ({regenerate}):\n" + "\n".join(problems[:25])
    )
    return ours


def run_study(name: str, output: Path, sizes: Mapping[str, int] = FEW_DRAWS) -> Path:
    """``backtest study <name>`` into ``output`` with the Monte Carlo ``sizes``: the study's spec
    through ``run_job``, as `backtest study` runs it (which has no option for the power paths)."""
    from backtest.claims.jobs import run_job
    from backtest.study_runner import study_path

    command = f"backtest study {name}"
    return run_job(study_path(name), None, output, command=command, report_kind="study", **sizes)
