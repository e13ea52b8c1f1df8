"""Amounts and changes as a VP reads them: ``$23k``, ``€1.2M``, ``(−21%)``, ``(−7 pts)``."""

from __future__ import annotations

from server.classification.headers import DISPLAY_SYMBOL

MINUS = "\u2212"


def symbol(code: str | None) -> str:
    """What to write before an amount in ``code``: ``$``, ``€``, ``£``, else ``CHF ``."""
    if code is None:
        return "$"
    return DISPLAY_SYMBOL.get(code, f"{code} ")


def money(amount: float, currency: str | None = None) -> str:
    """A compact amount: ``$950``, ``$23k``, ``$1.2M``, ``−$4.5k``."""
    sign = MINUS if amount < 0 else ""
    value = abs(amount)
    if value >= 999_500:
        text = f"{value / 1e6:.1f}M".replace(".0M", "M")
    elif value >= 9_995:
        text = f"{value / 1e3:.0f}k"
    elif value >= 1_000:
        text = f"{value / 1e3:.1f}k".replace(".0k", "k")
    else:
        text = f"{value:,.0f}"
    return f"{sign}{symbol(currency)}{text}"


def pct_change(now: float, before: float) -> str:
    """`` (+9%)``; `` (new)`` when there was nothing before."""
    if not before:
        return "" if not now else " (new)"
    change = now / before - 1
    sign = "+" if change >= 0 else MINUS
    return f" ({sign}{abs(change):.0%})"


def points(now: float, before: float) -> str:
    """`` (−7 pts)`` for a rate that moved from 31% to 24%."""
    change = round((now - before) * 100)
    sign = "+" if change >= 0 else MINUS
    return f" ({sign}{abs(change)} pts)"
