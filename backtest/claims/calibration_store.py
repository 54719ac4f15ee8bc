"""Calibration results on disk, keyed by everything that produced them, so a study reads a
stored calibration instead of re-simulating hundreds of price paths on every run. This is the
composition layer's store: ``backtest.stats.calibration`` computes and writes nothing.

Input: the arguments of ``backtest.stats.calibration.calibrate`` and a folder. Output: the
same ``Calibration`` that ``calibrate`` returns, read from ``<folder>/<null_model>-<key>.json``
when a file with that key exists, computed (and written there) otherwise.

The key is a SHA-256 of the parameters (rules, horizons, null model, replications, seed,
alpha, effects), of the close series (dates and values), of the method's explicit version
(``backtest.stats.calibration.METHOD_VERSION``), of the code of every module the simulation
runs through (without docstrings and comments: ``backtest.cache.code_without_prose``), and of
the numpy / arch / scipy versions (their random streams and GARCH simulator). Any change to one of them is a miss and recomputes, so a stored file can
never stand in for a calibration the current code would not produce; the file itself holds
the parameters, and a file whose content disagrees with its key raises a CalibrationCacheError.
Floats are stored as JSON numbers written by ``repr`` (exact round trip), so reading a file
gives the very values computing them would.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from backtest.cache import key_of, package_versions, source_digest
from backtest.errors import ParameterError
from backtest.files import CALIBRATION, read_text
from backtest.stats.calibration import METHOD_VERSION

if TYPE_CHECKING:
    from backtest.stats.calibration import Calibration

CACHE_FORMAT = 1
"""Bump when the file layout changes (it is part of the key)."""

CACHE_DIR_ENV_VAR = "BACKTEST_CALIBRATION_DIR"

DISABLE_VALUE = "off"
"""``BACKTEST_CALIBRATION_DIR=off`` always recomputes and writes nothing."""

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # backtest/
_CODE_FILES: tuple[str, ...] = ("defaults.py",)
_CODE_PACKAGES: tuple[str, ...] = ("events", "signals", "stats")
"""Source the simulation runs through: ``calibrate`` -> ``run_event_study`` -> every test of
``backtest.stats`` (the secondary rows run the random-entry, path and rank tests), so any
change there is a miss."""
_VERSIONED: tuple[str, ...] = ("numpy", "scipy", "arch", "pandas")


class CalibrationCacheError(ParameterError):
    """A stored calibration file does not match the key it is filed under."""


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """Read once per process, so every key of a run hashes the same source."""
    files = [_PACKAGE_ROOT / name for name in _CODE_FILES]
    for package in _CODE_PACKAGES:
        files += sorted((_PACKAGE_ROOT / package).glob("*.py"))
    return source_digest(files, _PACKAGE_ROOT)


def _series_digest(close: pd.Series) -> str:
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(close.index.asi8, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(close.to_numpy(dtype=np.float64)).tobytes())
    return digest.hexdigest()


def calibration_parameters(
    close: pd.Series,
    rules: object,
    horizons: Sequence[str],
    *,
    null_model: str,
    n_replications: int,
    seed: int,
    alpha: float,
    effects: Sequence[float],
    n_draws: int,
    n_paths: int,
) -> dict[str, object]:
    """Everything the calibration depends on, as plain JSON values (the key hashes this)."""
    return {
        "format": CACHE_FORMAT,
        "rules": rules.to_dict(),  # type: ignore[attr-defined]
        "horizons": [str(h) for h in horizons],
        "null_model": str(null_model),
        "n_replications": int(n_replications),
        "seed": int(seed),
        "alpha": float(alpha),
        "effects": [float(e) for e in effects],
        "n_draws": int(n_draws),
        "n_paths": int(n_paths),
        "close": {
            "sha256": _series_digest(close),
            "n": len(close),
            "first": close.index[0].date().isoformat() if len(close) else None,
            "last": close.index[-1].date().isoformat() if len(close) else None,
        },
        "method_version": METHOD_VERSION,
        "code_sha256": _code_digest(),
        "versions": package_versions(_VERSIONED),
    }


def calibration_key(parameters: dict[str, object]) -> str:
    """SHA-256 (hex, first 16 digits) of the canonical JSON of ``parameters``."""
    return key_of(parameters)[:16]


def default_cache_dir() -> Path | None:
    """``$BACKTEST_CALIBRATION_DIR`` (``off``: no cache), else ``results/calibration`` of
    the checkout (or of the current directory when installed)."""
    value = os.environ.get(CACHE_DIR_ENV_VAR)
    if value is not None:
        return None if value.strip().lower() == DISABLE_VALUE else Path(value)
    from backtest.project import results_dir

    return results_dir(__file__) / "calibration"


def _to_text(parameters: dict[str, object], key: str, result: object) -> str:
    payload = {
        "key": key,
        "parameters": parameters,
        "columns": [str(c) for c in result.table.columns],  # type: ignore[attr-defined]
        "calibration": result.to_dict(),  # type: ignore[attr-defined]
    }
    return json.dumps(payload, indent=1, sort_keys=True, default=_native) + "\n"


def _native(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(f"cannot store {type(value).__name__} in a calibration file")


def _from_payload(payload: dict[str, Any]) -> Calibration:
    from backtest.stats.calibration import Calibration

    stored = payload["calibration"]
    assert isinstance(stored, dict)
    return Calibration(
        pd.DataFrame(stored["rows"], columns=payload["columns"]),
        alpha=float(stored["alpha"]),
        n_replications=int(stored["n_replications"]),
        seed=int(stored["seed"]),
        horizons=tuple(stored["horizons"]),
    )


def cached_calibrate(
    close: pd.Series,
    rules: object,
    horizons: Sequence[str],
    *,
    null_model: str = "gbm",
    n_replications: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
    effects: Sequence[float] | None = None,
    n_draws: int = 999,
    n_paths: int = 0,
    cache_dir: str | os.PathLike[str] | None | bool = True,
) -> Calibration:
    """``calibrate(...)`` with the same arguments, read from ``cache_dir`` when stored.

    cache_dir: a folder; True (default) for ``default_cache_dir()``; None or False to
    always compute. A miss computes and writes the file (atomically) when the folder is
    writable; a file whose stored parameters differ from its key raises
    ``CalibrationCacheError``.
    """
    from backtest.stats.calibration import DEFAULT_EFFECTS, calibrate

    effects = DEFAULT_EFFECTS if effects is None else tuple(effects)
    horizons = tuple(horizons)
    arguments = {
        "null_model": null_model,
        "n_replications": n_replications,
        "seed": seed,
        "alpha": alpha,
        "effects": effects,
        "n_draws": n_draws,
        "n_paths": n_paths,
    }
    folder = default_cache_dir() if cache_dir is True else (Path(cache_dir) if cache_dir else None)
    if folder is None:
        return calibrate(close, rules, horizons, **arguments)  # type: ignore[arg-type]
    parameters = calibration_parameters(close, rules, horizons, **arguments)  # type: ignore[arg-type]
    key = calibration_key(parameters)
    path = folder / f"{null_model}-{key}.json"
    if os.path.lexists(path):
        text = read_text(path, CALIBRATION, error=CalibrationCacheError)  # a regular file of at most 16 MiB
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise CalibrationCacheError(
                f"{path} is not a stored calibration (not a JSON object); delete it and run again"
            )
        if payload.get("key") != key or payload.get("parameters") != parameters:
            raise CalibrationCacheError(
                f"{path} does not hold the calibration its name says (stored parameters differ); "
                "delete it and run again to recompute"
            )
        return _from_payload(payload)
    result = calibrate(close, rules, horizons, **arguments)  # type: ignore[arg-type]
    try:
        from backtest._io import atomic_write_text

        atomic_write_text(path, _to_text(parameters, key, result))
    except OSError:
        pass  # a read-only checkout still gets the computed result
    return result
