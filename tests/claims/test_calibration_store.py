"""cached_calibrate(): a stored calibration is the computed one, value for value; any change
of an input is a miss; a file that disagrees with its key fails loudly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from backtest.claims.calibration_store import CalibrationCacheError, cached_calibrate
from backtest.events import EventRules, MACross
from backtest.stats.calibration import calibrate


def _close(n_days=3000):
    dates = pd.bdate_range("1995-01-01", periods=n_days)
    rng = np.random.default_rng(4)
    return pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, n_days))), index=dates)


RULES = EventRules(source=MACross(20, 100))


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


SOURCE = b'''"""A module."""
import numpy as np  # why numpy

RATE = 0.05
"""The rate, with a # in its words."""


def mean_after(values, k):
    """The mean of ``values`` after position ``k``.

    Words that change often."""
    label = "# not a comment"  # a comment, \xc3\xa9
    return np.mean(values[k:])  # the reason
'''


def test_editing_prose_keeps_the_key_and_editing_code_changes_it(tmp_path) -> None:
    """Calibrations are keyed by the code they run through without its docstrings and
    comments: rewording a docstring or a comment (or adding blank lines) re-keys nothing,
    while any change of code, a string literal's included, does."""
    from backtest.cache import source_digest

    def digest(text: bytes) -> str:
        (tmp_path / "module.py").write_bytes(text)
        return source_digest([tmp_path / "module.py"], tmp_path)

    original = digest(SOURCE)
    for prose in (
        SOURCE.replace(b"Words that change often.", b"Other words entirely.\n\n    And a paragraph."),
        SOURCE.replace(b"# the reason", b"# another reason, \xc3\xa9").replace(b"# why numpy", b""),
        SOURCE.replace(b"RATE = 0.05\n", b"RATE = 0.05\n\n\n"),
        SOURCE.replace(b'"""The rate, with a # in its words."""', b'"""The rate."""'),
    ):
        assert digest(prose) == original
    for code in (
        SOURCE.replace(b"values[k:]", b"values[k + 1 :]"),
        SOURCE.replace(b"RATE = 0.05", b"RATE = 0.01"),
        SOURCE.replace(b'"# not a comment"', b'"# another"'),
    ):
        assert digest(code) != original


def test_the_key_names_the_methods_version(tmp_path) -> None:
    from backtest.claims.calibration_store import calibration_parameters
    from backtest.stats.calibration import METHOD_VERSION

    parameters = calibration_parameters(
        _close(300),
        RULES,
        ("3m",),
        null_model="gbm",
        n_replications=2,
        seed=1,
        alpha=0.05,
        effects=(0.0,),
        n_draws=9,
        n_paths=0,
    )
    assert parameters["method_version"] == METHOD_VERSION
