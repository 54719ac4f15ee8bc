"""cached_calibrate(): a stored calibration is the computed one, value for value; any change
of an input is a miss; a file that disagrees with its key fails loudly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from backtest.events import EventRules
from backtest.stats.calibration import calibrate
from backtest.stats.calibration_cache import CalibrationCacheError, cached_calibrate


def _close(n_days=3000):
    dates = pd.bdate_range("1995-01-01", periods=n_days)
    rng = np.random.default_rng(4)
    return pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, n_days))), index=dates)


RULES = EventRules(fast=20, slow=100)


def test_stored_calibration_equals_computed(tmp_path, monkeypatch) -> None:
    close = _close()
    direct = calibrate(close, RULES, ("3m", "6m"), n_replications=4, seed=2)
    first = cached_calibrate(close, RULES, ("3m", "6m"), n_replications=4, seed=2, cache_dir=tmp_path)
    files = list(tmp_path.glob("gbm-*.json"))
    assert len(files) == 1
    # the second call reads the file: calibrate must not run
    import backtest.stats.calibration as module

    monkeypatch.setattr(module, "calibrate", lambda *a, **k: pytest.fail("recomputed a stored calibration"))
    second = cached_calibrate(close, RULES, ("3m", "6m"), n_replications=4, seed=2, cache_dir=tmp_path)
    for result in (first, second):
        assert result.to_dict() == direct.to_dict()
        assert list(result.table.columns) == list(direct.table.columns)
        pd.testing.assert_frame_equal(result.table, direct.table)


def test_changed_input_is_a_miss(tmp_path) -> None:
    close = _close()
    cached_calibrate(close, RULES, ("3m",), n_replications=3, seed=2, cache_dir=tmp_path)
    cached_calibrate(close, RULES, ("3m",), n_replications=3, seed=3, cache_dir=tmp_path)
    changed = close.copy()
    changed.iloc[-1] *= 1.01
    cached_calibrate(changed, RULES, ("3m",), n_replications=3, seed=2, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("gbm-*.json"))) == 3


def test_file_disagreeing_with_its_key_fails_loudly(tmp_path) -> None:
    close = _close()
    cached_calibrate(close, RULES, ("3m",), n_replications=3, seed=2, cache_dir=tmp_path)
    (path,) = tmp_path.glob("gbm-*.json")
    payload = json.loads(path.read_text())
    payload["parameters"]["seed"] = 99
    path.write_text(json.dumps(payload))
    with pytest.raises(CalibrationCacheError, match="stored parameters differ"):
        cached_calibrate(close, RULES, ("3m",), n_replications=3, seed=2, cache_dir=tmp_path)


def test_disabled_cache_writes_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BACKTEST_CALIBRATION_DIR", "off")
    monkeypatch.chdir(tmp_path)
    result = cached_calibrate(_close(), RULES, ("3m",), n_replications=2, seed=2)
    assert result.n_replications >= 1
    assert not list(tmp_path.rglob("*.json"))
