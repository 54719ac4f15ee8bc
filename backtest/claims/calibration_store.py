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
from collections.abc import Callable, Sequence
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
    payload = _read_stored(path, key, parameters, "stored calibration")
    if payload is not None:
        return _from_payload(payload)
    result = calibrate(close, rules, horizons, **arguments)  # type: ignore[arg-type]
    _write_stored(path, _to_text(parameters, key, result))
    return result


def _read_stored(path: Path, key: str, parameters: dict[str, Any], what: str) -> dict[str, Any] | None:
    """The JSON object stored at ``path`` (None when there is no file), checked to hold the
    ``parameters`` its ``key`` names: anything else is a CalibrationCacheError, never a
    silent recompute over a file this run did not write."""
    if not os.path.lexists(path):
        return None
    text = read_text(path, CALIBRATION, error=CalibrationCacheError)  # a regular file of at most 16 MiB
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("calibration"), dict):
        raise CalibrationCacheError(f"{path} is not a {what} (not a JSON object); delete it and run again")
    if payload.get("key") != key or payload.get("parameters") != parameters:
        raise CalibrationCacheError(
            f"{path} does not hold the calibration its name says (stored parameters differ); "
            "delete it and run again to recompute"
        )
    return payload


def _write_stored(path: Path, text: str) -> None:
    """Store ``text`` at ``path`` atomically; a read-only checkout still gets the computed result."""
    from backtest._io import atomic_write_text

    try:
        atomic_write_text(path, text)
    except OSError:
        pass


# ---------------------------------------------------------------------------------------
# Pooled claims: the size of every pooled test on panels simulated with the events kept
# ---------------------------------------------------------------------------------------

POOLED_PREFIX = "pooled"
"""File names of stored pooled calibrations: ``pooled-<key>.json``."""

_POOLED_CODE_FILES: tuple[str, ...] = ("claims/pooled.py", "claims/pooled_size.py")
"""Beyond the single-series calibration's source: the pooled claim's composition and its
simulation (``backtest.claims.pooled._calibration``)."""


@functools.lru_cache(maxsize=1)
def _pooled_code_digest() -> str:
    files = [_PACKAGE_ROOT / name for name in (*_CODE_FILES, *_POOLED_CODE_FILES)]
    for package in _CODE_PACKAGES:
        files += sorted((_PACKAGE_ROOT / package).glob("*.py"))
    return source_digest(files, _PACKAGE_ROOT)


def array_digest(*arrays: np.ndarray) -> str:
    """SHA-256 (hex) of the arrays' shapes, dtypes and bytes, in order: what a stored
    calibration keys the data it simulated from by."""
    digest = hashlib.sha256()
    for array in arrays:
        contiguous = np.ascontiguousarray(array)
        digest.update(f"{contiguous.dtype.str}{contiguous.shape}".encode())
        digest.update(contiguous.tobytes())
    return digest.hexdigest()


def pooled_calibration_parameters(inputs: dict[str, object]) -> dict[str, object]:
    """Everything a pooled calibration depends on: ``inputs`` (the claim's settings, the
    simulation's size and seed, and digests of the data it was shaped on, as plain JSON
    values), the code it runs through and the numpy / scipy / pandas versions."""
    parameters = {
        "format": CACHE_FORMAT,
        "kind": "pooled_claim",
        "inputs": inputs,
        "code_sha256": _pooled_code_digest(),
        "versions": package_versions(_VERSIONED),
    }
    # compared after a JSON round trip (tuples become lists), as it is read back
    loaded: dict[str, object] = json.loads(json.dumps(parameters, sort_keys=True))
    return loaded


def cached_pooled_calibration(
    inputs: dict[str, object],
    compute: Callable[[], dict[str, Any]],
    *,
    cache_dir: str | os.PathLike[str] | None | bool = True,
) -> dict[str, Any]:
    """``compute()`` (a pooled claim's calibration, a JSON-ready mapping) read from
    ``cache_dir`` when stored under the key of ``inputs``, else computed and written there.

    cache_dir: a folder; True (default) for ``default_cache_dir()``; None or False to always
    compute. The key hashes ``pooled_calibration_parameters(inputs)``; a file whose stored
    parameters differ from its key raises ``CalibrationCacheError``.
    """
    folder = default_cache_dir() if cache_dir is True else (Path(cache_dir) if cache_dir else None)
    if folder is None:
        return compute()
    parameters = pooled_calibration_parameters(inputs)
    key = calibration_key(parameters)
    path = folder / f"{POOLED_PREFIX}-{key}.json"
    payload = _read_stored(path, key, parameters, "stored pooled calibration")
    if payload is not None:
        stored: dict[str, Any] = payload["calibration"]
        return stored
    result = compute()
    text = json.dumps({"key": key, "parameters": parameters, "calibration": result}, indent=1, sort_keys=True)
    _write_stored(path, text + "\n")
    # what a later run reads back: the same values, through the same JSON round trip
    returned: dict[str, Any] = json.loads(text)["calibration"]
    return returned
