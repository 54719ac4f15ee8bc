"""`backtest calibrate`: size and power of the claim's tests on simulated no-signal paths
(backtest.stats.calibration), printed and optionally written as CSV.
"""

from __future__ import annotations

from pathlib import Path

import click

from backtest.cli._common import DataSettings, announce_output, console, data_options
from backtest.defaults import DEFAULT_DETECTION_START


@click.command("calibrate")
@click.option(
    "--series",
    default="russell2000",
    show_default=True,
    help="Series whose trading calendar, drift and volatility the simulated paths take.",
)
@click.option("--fast", default=50, show_default=True, type=int, help="Fast moving average (trading days).")
@click.option("--slow", default=200, show_default=True, type=int, help="Slow moving average (trading days).")
@click.option("--since", default=DEFAULT_DETECTION_START, show_default=True, help="First event date.")
@click.option(
    "--horizons",
    default="3m,6m,9m,12m",
    show_default=True,
    help="Claim horizons of the primary joint test (comma-separated labels).",
)
@click.option(
    "--model",
    "models",
    multiple=True,
    type=click.Choice(["gbm", "garch_t"]),
    default=("gbm", "garch_t"),
    show_default=True,
    help="No-signal null model(s) of the simulated daily returns.",
)
@click.option(
    "--replications",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1, max=100_000),
    help="Simulated paths per null model.",
)
@click.option(
    "--seed", default=0, show_default=True, type=click.IntRange(min=0, max=2**63 - 1), help="Seed of the simulation."
)
@click.option(
    "--alpha",
    default=0.05,
    show_default=True,
    type=click.FloatRange(min=0.0, max=1.0, min_open=True, max_open=True),
    help="Significance level.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the table as CSV here (checked before any work; an existing file is replaced only if "
    "backtest wrote it, or with --overwrite).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing --output file even if backtest did not write it.")
@click.option(
    "--draws",
    default=999,
    show_default=True,
    type=click.IntRange(min=0, max=1_000_000),
    help="Random-entry draws per simulated path and horizon (secondary test; 0 skips it).",
)
@click.option(
    "--paths",
    default=99,
    show_default=True,
    type=click.IntRange(min=0, max=100_000),
    help="Bootstrapped price paths per simulated path (secondary path null; 0 skips it).",
)
@data_options
def calibrate_command(
    series: str,
    fast: int,
    slow: int,
    since: str,
    horizons: str,
    models: tuple[str, ...],
    replications: int,
    seed: int,
    alpha: float,
    output: Path | None,
    overwrite: bool,
    draws: int,
    paths: int,
    data: DataSettings,
) -> None:
    """Size and power of question B's primary test and the secondary tests, by simulation.

    Simulates price paths with no signal (GBM; GARCH(1,1)-t fitted by arch) on the series'
    trading calendar, runs the golden-cross rule and the tests on each, and prints the
    rejection rate at --alpha: with no planted effect (size, should be near alpha) and with
    +2.5%, +5% and +10% added after every event at every horizon (power). Long: about 0.5 s
    per path. The nulls every replication keeps are estimated first: past the memory
    available the run is refused before any data is read.
    """
    import pandas as pd

    from backtest._io import atomic_write_text
    from backtest.events import EventRules, MACross
    from backtest.stats.calibration import calibrate
    from backtest.stats.cost import check_calibration_memory

    rules = EventRules(source=MACross(fast, slow, "sma", "golden"), start=since)
    labels = tuple(label.strip() for label in horizons.split(",") if label.strip())
    # the least any series can cost: it has more closes than the slow window
    check_calibration_memory(slow + 1, len(labels), replications, draws, paths)
    if output is not None:
        announce_output(output, "calibration-csv", overwrite, "choose another --output path")
    market_series = data.load(series)
    close = market_series.close
    # a --since before the data becomes its first close, and says so
    rules, note = rules.for_data(close.index, market_series.name)
    if note:
        click.echo(f"warning: {note}", err=True)
    frames = []
    for model in models:
        result = calibrate(
            close,
            rules,
            labels,
            null_model=model,
            n_replications=replications,
            seed=seed,
            alpha=alpha,
            n_draws=draws,
            n_paths=paths,
        )
        console.print(result.summary())
        frames.append(result.to_frame())
    if output is not None:
        atomic_write_text(output, pd.concat(frames).to_csv(index=False, lineterminator="\n"))
        console.print(f"wrote {output}", highlight=False, markup=False)
