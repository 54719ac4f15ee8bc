"""Claims as data: a market-timing claim stated in a TOML spec, run through every stage.

``Claim(path_or_tables_or_keywords).run()`` -> ``ClaimResult`` (``summary()``, ``to_frame()``,
``plot(kind)``, ``report(path)``); ``load_spec`` / ``spec_from_dict`` validate a spec (``backtest.claims.spec``),
``run_claim`` runs one (``backtest.claims.run``). A spec file may also be a sweep or a strategy
(its ``[job] kind``): ``load_job`` reads any kind, ``run_job`` runs it into its report folder
(``backtest.claims.jobs``; `backtest study` and `backtest claim run` call it). This layer composes data -> events -> stats
-> report; no stage imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backtest.claims.spec import TOP_LEVEL, ClaimSpec, did_you_mean, load_spec, spec_from_dict
from backtest.errors import ParameterError, SpecError

if TYPE_CHECKING:
    from backtest.claims.pooled import PooledClaimSpec

SCHEMA_PATH = Path(__file__).with_name("summary.schema.json")
"""JSON Schema of a claim report's summary.json."""
TEMPLATE_PATH = Path(__file__).with_name("template.toml")
"""The commented spec that `backtest claim new` writes."""


CLAIM_KEYWORDS = ("title", "statement", "direction", "horizons", "verdict_horizons", "source", "name")
"""The keywords of ``Claim(...)`` that fill the spec's [claim] table."""


def _tables_from_keywords(keywords: dict[str, Any]) -> dict[str, Any]:
    """The TOML-shaped tables of ``Claim(title=..., series=..., event=..., ...)``: the
    [claim] keys (``CLAIM_KEYWORDS``, and ``published`` when it is a date) go into [claim],
    ``statement`` defaulting to the title; ``series`` is a catalog name or CSV path (or a
    whole [series] table); every other keyword is a table of the spec by its TOML name
    (``rules={...}``, ``benchmark={...}``, ``variants=[...]``, a list ``published=[...]``)."""
    known = (*CLAIM_KEYWORDS, *(table for table in TOP_LEVEL if table != "claim"))
    for key in keywords:
        if key not in known:
            raise SpecError(
                f"Claim(...): unknown keyword {key!r} (known: {', '.join(known)}){did_you_mean(key, known)}"
            )
    tables: dict[str, Any] = {}
    claim: dict[str, Any] = {}
    for key, value in keywords.items():
        if key in CLAIM_KEYWORDS or (key == "published" and not isinstance(value, (list, tuple))):
            claim[key] = list(value) if isinstance(value, tuple) else value
        elif key == "series" and not isinstance(value, Mapping):
            tables["series"] = {"name": str(value)}
        else:
            tables[key] = value
    if "title" in claim:
        claim.setdefault("statement", claim["title"])
    return {"claim": claim, **tables}


@dataclass(frozen=True, init=False)
class Claim:
    """A claim ready to run, from a spec file, a dict of TOML-shaped tables, or keywords::

        import backtest as bt
        bt.Claim("studies/claims/rsi_oversold.toml")          # or Claim.from_toml(path)
        bt.Claim({"claim": {...}, "series": {...}, "event": {...}})  # or Claim.from_dict(...)
        bt.Claim(
            title="Oversold Russell 2000",
            series="russell2000",
            event={"kind": "threshold", "indicator": "rsi", "window": 14, "level": 30, "cross": "below"},
            horizons=["1m", "3m"],
            rules={"start": "1990-01-01"},
        )

    Every form is validated as a spec file is (``SpecError``: one line naming the key, before
    any data are read). ``data_dir``: the data source whose catalog checks series names (the
    run's default source when None); ``base_dir``: where relative paths in a dict start."""

    spec: ClaimSpec | PooledClaimSpec

    def __init__(
        self,
        spec: ClaimSpec | str | Path | Mapping[str, Any] | None = None,
        /,
        *,
        data_dir: str | Path | None = None,
        base_dir: str | Path = ".",
        **keywords: Any,
    ) -> None:
        if spec is None and isinstance(keywords.get("spec"), ClaimSpec):  # dataclasses.replace(claim, spec=...)
            spec = keywords.pop("spec")
        if spec is not None and keywords:
            raise ParameterError(
                f"Claim takes a spec, a spec file or a dict of tables, or keywords, not both (got {sorted(keywords)})"
            )
        from backtest.claims.jobs import ClaimJob, PooledJob, load_job
        from backtest.claims.panel_spec import is_pooled
        from backtest.claims.pooled import PooledClaimSpec, pooled_spec_from_dict

        built: ClaimSpec | PooledClaimSpec
        if isinstance(spec, (ClaimSpec, PooledClaimSpec)):
            built = spec
        elif isinstance(spec, (str, Path)):  # a claim's spec file, one series or many (pooled)
            job = load_job(spec, data_dir=data_dir)
            if not isinstance(job, (ClaimJob, PooledJob)):
                raise ParameterError(f"{spec}: a {job.kind} spec, not a claim: run it with backtest.claims.run_job")
            built = job.spec
        elif isinstance(spec, Mapping) and is_pooled(spec):
            built = pooled_spec_from_dict(spec, origin="<code>", base_dir=base_dir, data_dir=data_dir)
        elif isinstance(spec, Mapping):
            built = spec_from_dict(spec, origin="<code>", base_dir=base_dir, data_dir=data_dir)
        elif keywords:
            built = spec_from_dict(
                _tables_from_keywords(keywords), origin="<code>", base_dir=base_dir, data_dir=data_dir
            )
        else:
            raise ParameterError(
                "Claim needs a spec file, a dict of tables, or keywords (title=..., series=..., event=...)"
            )
        object.__setattr__(self, "spec", built)

    @classmethod
    def from_toml(cls, path: str | Path, data_dir: str | Path | None = None) -> Claim:
        """A claim from a spec file (series names checked against ``data_dir``'s catalog)."""
        return cls(load_spec(path, data_dir=data_dir))

    @classmethod
    def from_dict(cls, values: dict[str, Any], base_dir: str | Path = ".", data_dir: str | Path | None = None) -> Claim:
        """A claim from nested dicts shaped like the TOML tables (relative paths from
        ``base_dir``; series names checked against ``data_dir``'s catalog)."""
        return cls(spec_from_dict(values, origin="<code>", base_dir=base_dir, data_dir=data_dir))

    @property
    def name(self) -> str:
        return self.spec.name

    def run(self, **options: Any) -> Any:
        """Run it: options of ``backtest.claims.run.run_claim`` (data_dir, seed, n_draws,
        n_paths, policy). Returns a ``ClaimResult``; a pooled claim's run takes data_dir, seed,
        policy and alpha (``backtest.claims.pooled.run_pooled_claim``) and returns a
        ``PooledClaimResult``."""
        from backtest.claims.pooled import PooledClaimSpec, run_pooled_claim
        from backtest.claims.run import run_claim

        if isinstance(self.spec, PooledClaimSpec):
            return run_pooled_claim(self.spec, **options)

        return run_claim(self.spec, **options)


def __getattr__(name: str) -> Any:
    if name in ("ClaimResult", "run_claim"):
        from backtest.claims import run

        return getattr(run, name)
    if name in ("load_job", "run_job"):
        from backtest.claims import jobs

        return getattr(jobs, name)
    raise AttributeError(f"module 'backtest.claims' has no attribute {name!r}")


__all__ = [
    "SCHEMA_PATH",
    "TEMPLATE_PATH",
    "Claim",
    "ClaimResult",
    "ClaimSpec",
    "load_job",
    "load_spec",
    "run_claim",
    "run_job",
    "spec_from_dict",
]
