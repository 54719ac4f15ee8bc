"""Claims as data: a market-timing claim stated in a TOML spec, run through every stage.

``Claim.from_toml(path).run()`` -> ``ClaimResult`` (``summary()``, ``to_frame()``,
``report(path)``); ``load_spec`` / ``spec_from_dict`` validate a spec (``backtest.claims.spec``),
``run_claim`` runs one (``backtest.claims.run``). This layer composes data -> events -> stats
-> report; no stage imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backtest.claims.spec import ClaimSpec, load_spec, spec_from_dict

SCHEMA_PATH = Path(__file__).with_name("summary.schema.json")
"""JSON Schema of a claim report's summary.json."""
TEMPLATE_PATH = Path(__file__).with_name("template.toml")
"""The commented spec that `backtest claim new` writes."""


@dataclass(frozen=True)
class Claim:
    """A claim ready to run: ``Claim.from_toml(path)`` or ``Claim.from_dict({...})`` in code."""

    spec: ClaimSpec

    @classmethod
    def from_toml(cls, path: str | Path) -> Claim:
        return cls(load_spec(path))

    @classmethod
    def from_dict(cls, values: dict[str, Any], base_dir: str | Path = ".") -> Claim:
        """A claim from nested dicts shaped like the TOML tables (relative paths from ``base_dir``)."""
        return cls(spec_from_dict(values, origin="<code>", base_dir=base_dir))

    @property
    def name(self) -> str:
        return self.spec.name

    def run(self, **options: Any) -> Any:
        """Run it: options of ``backtest.claims.run.run_claim`` (data_dir, seed, n_draws,
        n_paths, policy). Returns a ``ClaimResult``."""
        from backtest.claims.run import run_claim

        return run_claim(self.spec, **options)


def __getattr__(name: str) -> Any:
    if name in ("ClaimResult", "run_claim"):
        from backtest.claims import run

        return getattr(run, name)
    raise AttributeError(f"module 'backtest.claims' has no attribute {name!r}")


__all__ = [
    "SCHEMA_PATH",
    "TEMPLATE_PATH",
    "Claim",
    "ClaimResult",
    "ClaimSpec",
    "load_spec",
    "run_claim",
    "spec_from_dict",
]
