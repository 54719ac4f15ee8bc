"""Seeds: one user seed, independent sub-seeds per component, validated in one place.

``seed_from(seed, *labels)`` derives a sub-seed for one component (the random-entry Monte
Carlo of one horizon, the path bootstrap, a confidence interval...) so that no two
components share a random stream and adding a component never changes another's numbers.
Sub-seeds feed the counter-based generator of ``backtest.stats.nb`` (numba) or
``numpy.random.default_rng`` (scipy's bootstrap).
"""

from __future__ import annotations

import hashlib

import numpy as np

from backtest.checks import check_scalar
from backtest.defaults import DEFAULT_SEED
from backtest.errors import ParameterError

__all__ = ["DEFAULT_SEED", "check_seed", "seed_from"]


_SEED_LIMIT = 2**63  # kernels take int64 seeds


def check_seed(seed: object, name: str = "seed") -> int:
    """A seed as a Python int in [0, 2**63), or ParameterError naming ``name``.

    Parameters
    ----------
    seed : object
        The value to check: an integer in [0, 2**63), the range of the kernels' int64 seeds.
    name : str, default "seed"
        The parameter name the error message gives.

    Returns
    -------
    int
        ``seed`` as a Python int.

    Raises
    ------
    ParameterError
        ``seed`` is not an integer in [0, 2**63).
    """
    return check_scalar(
        seed, name, int, min_val=0, max_val=_SEED_LIMIT, include_boundaries="left", must="be an integer in [0, 2**63)"
    )


def _label_key(label: object) -> int:
    # A stable 64-bit key per label: Python's hash() of a str changes between processes.
    if isinstance(label, bool) or not isinstance(label, (str, int, np.integer)):
        raise ParameterError(f"seed labels must be strings or integers, got {label!r}")
    text = f"{type(label).__name__ if isinstance(label, str) else 'int'}:{label}"
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def seed_from(seed: int, *labels: str | int) -> int:
    """A sub-seed in [0, 2**63) derived deterministically from ``seed`` and ``labels``.

    ``seed_from(7, "random_entry", "3m", "plain")`` is the same in every process and on
    every machine, and differs (with overwhelming probability) from any other label tuple.
    Uses ``numpy.random.SeedSequence(entropy=seed, spawn_key=...)``, NumPy's recommended way
    of deriving independent streams; labels are hashed with BLAKE2b (stable across runs,
    unlike ``hash()``); ``"3"`` and ``3`` are different labels.

    Parameters
    ----------
    seed : int
        The user seed, an integer in [0, 2**63).
    *labels : str or int
        What the stream is for (component, horizon, variant, ...).

    Returns
    -------
    int
        The sub-seed, in [0, 2**63).

    Raises
    ------
    ParameterError
        A bad seed, or a label that is neither a string nor an integer.
    """
    seed = check_seed(seed)
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=tuple(_label_key(label) for label in labels))
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
