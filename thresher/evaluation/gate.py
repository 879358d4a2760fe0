"""``--fail-under``: floors on any figure of metrics.json, for CI gates when retraining."""

from __future__ import annotations

import math


def parse_fail_under(spec: str) -> dict[str, float]:
    """Parse ``"macro_f1=0.80,content_f1=0.95"`` into ``{name: floor}``.

    Raises ``ValueError`` naming the bad part.

    Examples
    --------
    >>> parse_fail_under("macro_f1=0.8, systems.keyword.block.macro.f1=0.5")
    {'macro_f1': 0.8, 'systems.keyword.block.macro.f1': 0.5}
    """
    floors: dict[str, float] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"--fail-under: {part!r} is not NAME=NUMBER (e.g. macro_f1=0.80)")
        try:
            floors[name] = float(value)
        except ValueError:
            raise ValueError(f"--fail-under: {value.strip()!r} in {part!r} is not a number") from None
        if not math.isfinite(floors[name]):
            raise ValueError(f"--fail-under: the floor of {name} must be a finite number")
    if not floors:
        raise ValueError("--fail-under: no NAME=NUMBER given")
    return floors


def lookup(metrics: dict, name: str) -> float:
    """A figure by its ``headline`` name (``macro_f1``) or its dotted path (``systems.model.word.content_f1``)."""
    headline = metrics.get("headline", {})
    if name in headline:
        return float(headline[name])
    node = metrics
    for key in name.split("."):
        if not isinstance(node, dict) or key not in node:
            raise KeyError(f"--fail-under: no figure {name!r} in metrics.json; "
                           f"headline figures: {', '.join(sorted(headline))}; or a dotted path")
        node = node[key]
    if not isinstance(node, int | float) or isinstance(node, bool):
        raise KeyError(f"--fail-under: {name!r} is not a number in metrics.json")
    return float(node)


def failures(metrics: dict, floors: dict[str, float]) -> list[str]:
    """One message per figure below its floor; empty when all pass.

    Raises ``KeyError`` for a name metrics.json does not hold (a typo must not pass the gate).

    Examples
    --------
    >>> failures({"headline": {"macro_f1": 0.78, "content_f1": 0.97}}, {"macro_f1": 0.8, "content_f1": 0.95})
    ['macro_f1 = 0.7800 is below 0.8000']
    """
    out = []
    for name, floor in floors.items():
        value = lookup(metrics, name)
        if not value >= floor:  # NaN fails too
            out.append(f"{name} = {value:.4f} is below {floor:.4f}")
    return out
