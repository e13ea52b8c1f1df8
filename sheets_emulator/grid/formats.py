"""Number formats: how a number reads under ``valueRenderOption=FORMATTED_VALUE``.

Covers the patterns Sheets infers from typed input and the common ones clients set with
``userEnteredFormat.numberFormat``: ``0``, ``0.00``, ``#,##0``, ``#,##0.00``, ``0%``,
``0.00%``, ``"$"#,##0.00``, ``[$€]#,##0.00``, ``#,##0;(#,##0)`` (sections), ``0.00E+00``,
and date/time patterns (``yyyy-mm-dd``, ``M/d/yyyy``, ``mmm d, yyyy``, ``H:mm:ss``,
``h:mm am/pm``). Numbers without a format read as Sheets' automatic format does: up to ten
decimals, 15 significant digits, ``1E+20`` for huge values.
"""

from __future__ import annotations

import calendar
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sheets_emulator.grid.cells import from_serial

DATE_TYPES = ("DATE", "TIME", "DATE_TIME")


def general(value: float) -> str:
    """Sheets' automatic number format."""
    if value != value:  # NaN
        return "#NUM!"
    if abs(value) >= 1e15 or 0 < abs(value) < 1e-10:
        mantissa, _, exponent = f"{value:.5E}".partition("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}E{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent)):02d}"
    text = f"{round(value, 10):.15g}"
    if "e" in text:
        text = f"{round(value, 10):.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def is_date_format(fmt: dict[str, Any] | None) -> bool:
    return fmt is not None and fmt.get("type") in DATE_TYPES


def format_number(value: float, fmt: dict[str, Any] | None) -> str:
    """``value`` as it reads with number format ``fmt`` (``None``: automatic)."""
    if not fmt:
        return general(value)
    kind = fmt.get("type", "NUMBER")
    pattern = fmt.get("pattern") or ""
    if kind in DATE_TYPES:
        return format_date(value, pattern or _DEFAULT_DATE[kind])
    if not pattern:
        # Without a pattern, Sheets uses the locale's pattern for the type (en_US here).
        pattern = _DEFAULT_NUMBER.get(kind, "")
    if kind == "TEXT" or not pattern:
        return general(value)
    try:
        return _format_pattern(value, pattern)
    except (ValueError, ArithmeticError):
        return general(value)


_DEFAULT_DATE = {"DATE": "M/d/yyyy", "TIME": "h:mm:ss am/pm", "DATE_TIME": "M/d/yyyy H:mm:ss"}
_DEFAULT_NUMBER = {
    "CURRENCY": '"$"#,##0.00',
    "PERCENT": "0.00%",
    "NUMBER": "#,##0.00",
    "SCIENTIFIC": "0.00E+00",
}


# --- numeric patterns -----------------------------------------------------------------------


def _sections(pattern: str) -> list[str]:
    parts, current, quoted, i = [], "", False, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == '"':
            quoted = not quoted
        if ch == "\\" and i + 1 < len(pattern):
            current += pattern[i : i + 2]
            i += 2
            continue
        if ch == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
        i += 1
    parts.append(current)
    return parts


def _tokens(section: str) -> tuple[str, str, str]:
    """Split a section into (prefix literal, numeric mask, suffix literal)."""
    prefix, mask, suffix = "", "", ""
    i = 0
    seen_mask = False
    while i < len(section):
        ch = section[i]
        literal = None
        if ch == '"':
            end = section.index('"', i + 1)
            literal = section[i + 1 : end]
            i = end + 1
        elif ch == "\\" and i + 1 < len(section):
            literal = section[i + 1]
            i += 2
        elif ch == "[":
            end = section.index("]", i)
            body = section[i + 1 : end]
            literal = body[1:].split("-")[0] if body.startswith("$") else ""
            i = end + 1
        elif ch in "_*" and i + 1 < len(section):
            literal = " " if ch == "_" else ""
            i += 2
        elif ch in "0#?,." or (ch in "Ee" and seen_mask and section[i + 1 : i + 2] in "+-"):
            if ch in "Ee":
                mask += "E" + section[i + 1]
                i += 2
                continue
            mask += ch
            seen_mask = True
            i += 1
            continue
        else:
            literal = ch
            i += 1
        if seen_mask:
            suffix += literal
        else:
            prefix += literal
    return prefix, mask, suffix


def _digits(value: Decimal, mask: str) -> str:
    int_mask, _, frac_mask = mask.partition(".")
    scale = len(int_mask) - len(int_mask.rstrip(","))
    int_mask = int_mask.rstrip(",")
    value = value / (Decimal(1000) ** scale)
    frac_max = sum(frac_mask.count(c) for c in "0#?")
    frac_min = frac_mask.count("0")
    quantum = Decimal(1).scaleb(-frac_max)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    int_text, _, frac_text = f"{rounded:f}".partition(".")
    frac_text = frac_text.ljust(frac_max, "0")[:frac_max]
    while len(frac_text) > frac_min and frac_text.endswith("0"):
        frac_text = frac_text[:-1]
    min_int = int_mask.count("0")
    if int_text == "0" and min_int == 0:
        int_text = ""
    int_text = int_text.rjust(min_int, "0")
    if "," in int_mask and int_text:
        int_text = f"{int(int_text):,}".rjust(min_int, "0")
    return int_text + ("." + frac_text if frac_text else "")


def _scientific(value: Decimal, mask: str) -> str:
    mantissa_mask, _, exp_mask = mask.partition("E")
    sign, exp_digits = exp_mask[0], exp_mask[1:]
    exponent = 0 if value == 0 else value.adjusted()
    mantissa = value.scaleb(-exponent)
    text = _digits(mantissa, mantissa_mask)
    if text.startswith("10"):  # rounding carried
        exponent += 1
        text = _digits(value.scaleb(-exponent), mantissa_mask)
    exp_sign = "-" if exponent < 0 else ("+" if sign == "+" else "")
    return f"{text}E{exp_sign}{str(abs(exponent)).rjust(exp_digits.count('0'), '0')}"


def _format_pattern(value: float, pattern: str) -> str:
    sections = _sections(pattern)
    sign = ""
    if value < 0 and len(sections) >= 2 and sections[1]:
        section, value = sections[1], -value
    elif value == 0 and len(sections) >= 3 and sections[2]:
        section = sections[2]
    else:
        section = sections[0]
        if value < 0:
            sign, value = "-", -value
    prefix, mask, suffix = _tokens(section)
    if "%" in prefix + suffix:
        value *= 100
    number = Decimal(repr(value))
    if not mask:
        return sign + prefix + suffix
    body = _scientific(number, mask) if "E" in mask else _digits(number, mask)
    if sign and body.strip("0.,") == "":
        sign = ""
    return sign + prefix + body + suffix


# --- dates and times ------------------------------------------------------------------------


def _date_tokens(pattern: str) -> list[tuple[str, str]]:
    """(kind, text) pairs: kind ``lit`` or a lower-cased token such as ``yyyy`` or ``m``."""
    tokens: list[tuple[str, str]] = []
    i = 0
    lower = pattern.lower()
    while i < len(pattern):
        ch = lower[i]
        if pattern[i] == '"':
            end = pattern.index('"', i + 1)
            tokens.append(("lit", pattern[i + 1 : end]))
            i = end + 1
        elif pattern[i] == "\\" and i + 1 < len(pattern):
            tokens.append(("lit", pattern[i + 1]))
            i += 2
        elif lower.startswith("am/pm", i) or lower.startswith("a/p", i):
            size = 5 if lower.startswith("am/pm", i) else 3
            tokens.append(("ampm", pattern[i : i + size]))
            i += size
        elif ch in "ymdhs":
            j = i
            while j < len(pattern) and lower[j] == ch:
                j += 1
            tokens.append((lower[i:j], pattern[i:j]))
            i = j
        else:
            tokens.append(("lit", pattern[i]))
            i += 1
    return tokens


def format_date(value: float, pattern: str) -> str:
    moment = from_serial(value)
    tokens = _date_tokens(pattern)
    twelve = any(kind == "ampm" for kind, _ in tokens)
    out = []
    for n, (kind, text) in enumerate(tokens):
        if kind == "lit":
            out.append(text)
        elif kind[0] == "y":
            out.append(str(moment.year)[-2:] if len(kind) <= 2 else str(moment.year))
        elif kind[0] == "m":
            prev = next((k for k, _ in reversed(tokens[:n]) if k != "lit"), "")
            after = next((k for k, _ in tokens[n + 1 :] if k != "lit"), "")
            if len(kind) <= 2 and (prev.startswith("h") or after.startswith("s")):
                out.append(f"{moment.minute:0{len(kind)}d}")
            elif len(kind) == 1:
                out.append(str(moment.month))
            elif len(kind) == 2:
                out.append(f"{moment.month:02d}")
            elif len(kind) == 3:
                out.append(calendar.month_abbr[moment.month])
            else:
                out.append(calendar.month_name[moment.month])
        elif kind[0] == "d":
            if len(kind) <= 2:
                out.append(f"{moment.day:0{len(kind)}d}")
            elif len(kind) == 3:
                out.append(calendar.day_abbr[moment.weekday()])
            else:
                out.append(calendar.day_name[moment.weekday()])
        elif kind[0] == "h":
            hour = moment.hour % 12 or 12 if twelve else moment.hour
            out.append(f"{hour:0{min(len(kind), 2)}d}")
        elif kind[0] == "s":
            out.append(f"{moment.second:0{min(len(kind), 2)}d}")
        elif kind == "ampm":
            pm = moment.hour >= 12
            out.append(("PM" if pm else "AM") if len(text) == 5 else ("P" if pm else "A"))
    return "".join(out)
