"""`backtest claim run` prints its answer as soon as the statistics are done, before the
report (figures, pages) is written: the answer a user waits for does not wait for the
figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from backtest.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_the_answer_is_printed_before_the_report_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from backtest.claims import run as claim_run

    printed_before: list[str] = []
    report = claim_run.ClaimResult.report

    def recording_report(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        printed_before.append(capsys.readouterr().out)
        return report(self, *args, **kwargs)

    monkeypatch.setattr(claim_run.ClaimResult, "report", recording_report)
    spec = ROOT / "studies" / "claims" / "vix_above_30.toml"
    sizes = ["--draws", "50", "--paths", "0", "--power-paths", "0"]
    assert main(["claim", "run", str(spec), "--output-dir", str(tmp_path), *sizes]) == 0
    (before,) = printed_before
    assert "\nVerdict: " in before  # after the announced output folder, before any file of it
    after = capsys.readouterr().out
    assert "Verdict" not in after and after.startswith("wrote ")
    assert (tmp_path / "vix_above_30" / "report.html").is_file()


NOT_BEFORE_THE_ANSWER = (
    "matplotlib",
    "plotly",
    "vectorbt",
    "statsmodels",
    "arch",
    "jinja2",
    "markdown",
    "nh3",
    "dask",
    "scipy.stats",
    "scipy.optimize",
)
"""Libraries the answer does not need: figures, pages, the strategy layer, references, and
scipy.stats and scipy.optimize (``backtest.stats.distributions`` computes the few
distribution functions the answer calls; half a second of imports otherwise)."""

PROBE = """
import sys
from backtest.cli import claim as claim_cli
from backtest.cli import main

print_answer = claim_cli._print_claim_answer

def probed(result):
    print_answer(result)
    loaded = sorted(name for name in sys.argv[1].split(",") if name in sys.modules)
    print("LOADED AT THE ANSWER: " + ",".join(loaded), flush=True)

claim_cli._print_claim_answer = probed
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("claim", ["vix_above_30", "santa_rally"])  # an event test; a year-paired test
def test_the_answer_path_imports_no_figure_page_or_reference_library(tmp_path: Path, claim: str) -> None:
    """A fresh `backtest claim run` process, asked at the moment its answer is printed which
    modules it has imported (``sys.modules``): none of the figure, page or reference
    libraries, which cost seconds of a short run's start and serve only the report."""
    import subprocess
    import sys

    spec = ROOT / "studies" / "claims" / f"{claim}.toml"
    sizes = ["--draws", "50", "--paths", "20", "--power-paths", "20"]  # every stage of the answer runs
    command = ["claim", "run", str(spec), "--output-dir", str(tmp_path), *sizes]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(NOT_BEFORE_THE_ANSWER), *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("LOADED AT THE ANSWER:")]
    assert line == "LOADED AT THE ANSWER: "  # nothing of NOT_BEFORE_THE_ANSWER
    assert done.stdout.index("Verdict") < done.stdout.index("LOADED AT THE ANSWER")
    assert (tmp_path / claim / "report.html").is_file()  # the report still has its figures


def test_a_claim_with_variants_answers_before_its_variants_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The answer reads the claim's own analysis only, so a claim with [[variants]] prints it
    before the first variant runs, and its figures start only after it."""
    from backtest.claims import drawing
    from backtest.claims import run as claim_run

    spec = tmp_path / "vix_variants.toml"
    spec.write_text(
        (ROOT / "studies" / "claims" / "vix_above_30.toml").read_text(encoding="utf-8")
        + '\n[[variants]]\nname = "later"\ndescription = "from 2000"\nstart = "2000-01-01"\n',
        encoding="utf-8",
    )
    order: list[str] = []
    variant_row, start_drawing = claim_run._variant_row, drawing.start_drawing

    def recording_variant(*args, **kwargs):  # type: ignore[no-untyped-def]
        order.append("variant, answer printed" if "Verdict: " in capsys.readouterr().out else "variant")
        return variant_row(*args, **kwargs)

    def recording_drawing(own):  # type: ignore[no-untyped-def]
        order.append("figures, answer printed" if "Verdict: " in capsys.readouterr().out else "figures")
        return start_drawing(own)

    monkeypatch.setattr(claim_run, "_variant_row", recording_variant)
    monkeypatch.setattr(drawing, "start_drawing", recording_drawing)
    sizes = ["--draws", "50", "--paths", "0", "--power-paths", "0"]
    assert main(["claim", "run", str(spec), "--output-dir", str(tmp_path / "out"), *sizes]) == 0
    assert order == ["figures, answer printed", "variant"]
    summary = (tmp_path / "out" / "vix_variants" / "summary.json").read_text(encoding="utf-8")
    assert '"later"' in summary  # the variant's row is in the report
