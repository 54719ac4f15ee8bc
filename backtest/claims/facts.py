"""Facts of a claim: the figures a spec's ``[[facts]]`` state, checked by the stats layer.

``check_facts(spec, load)`` turns each ``FactSpec`` into a ``backtest.stats.facts.Fact``
(confirmed within ``tolerance``, roughly within ``roughly``) and grades it with
``backtest.stats.facts.check_fact``: one fact-check mechanism for studies and claims. A
series our data lack is "not checkable"; it is never replaced by another one.
"""

from __future__ import annotations

from typing import Any

from backtest.claims.spec import ClaimSpec, FactSpec
from backtest.data import series_returns
from backtest.errors import BacktestError
from backtest.stats.facts import Fact, FactCheck, check_fact

__all__ = ["FactCheck", "as_fact", "check_facts"]


def as_fact(fact: FactSpec, spec: ClaimSpec, number: int) -> Fact:
    """The stats layer's ``Fact`` of a spec's fact (as of: the fact's date, else the claim's
    publication, else the period's end)."""
    start, end = fact.period
    as_of = fact.as_of or spec.claim.published or end
    return Fact(
        id=fact.id or f"fact_{number}",
        statement=fact.statement,
        figure=fact.figure,
        series=fact.series or spec.series,
        start=start,
        end=end,
        as_of=as_of,
        precision=fact.tolerance,
        tolerance=fact.roughly_band,
        proxy_note=fact.proxy_note,
        series_returns=series_returns(fact.series or spec.series),
    )


def check_facts(spec: ClaimSpec, load: Any) -> tuple[FactCheck, ...]:
    """Each fact of ``spec`` checked on the closes ``load(name)`` gives (a series that cannot
    be loaded is left out of the closes, so its facts are not checkable)."""
    facts = [as_fact(fact, spec, i) for i, fact in enumerate(spec.facts, start=1)]
    closes = {}
    for name in dict.fromkeys(fact.series for fact in facts):
        try:
            closes[name] = load(name).close
        except BacktestError:
            continue
    return tuple(check_fact(fact, closes) for fact in facts)
