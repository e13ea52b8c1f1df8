"""A small formula evaluator, so that trivial formulas read back with a value.

The emulator always stores the formula text (``valueRenderOption=FORMULA`` returns it). When a
formula cell is read with ``FORMATTED_VALUE`` or ``UNFORMATTED_VALUE`` its value is computed
here, at read time: numbers, strings, ``TRUE``/``FALSE``, cell references (``A1``, ``$B$2``,
``Sheet2!A1``, ``'My Tab'!A1:B3``, ``A:A``), ``+ - * / ^ & %``, comparisons, and the functions
``SUM AVERAGE MIN MAX COUNT COUNTA ABS ROUND IF IFERROR AND OR NOT CONCATENATE CONCAT LEN UPPER
LOWER TRIM``. Anything else reads as ``#NAME?``; a syntax error as ``#ERROR!``; a circular
reference as ``#REF!``; division by zero as ``#DIV/0!``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sheets_emulator.grid.a1 import A1Error, parse_cells
from sheets_emulator.grid.cells import CellError, CellValue, Formula

Scalar = float | str | bool | CellError | None
# fetch(sheet title or None, row, col) -> stored value; extent(title) -> (rows, cols) or None
Fetch = Callable[[str | None, int, int], CellValue]
Extent = Callable[[str | None], tuple[str, int, int] | None]

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<str>"(?:[^"]|"")*")
    |(?P<func>[A-Za-z_][\w.]*)\s*\(
    |(?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?
        (?:\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}
           |\$?\d+:\$?\d+))
    |(?P<bool>TRUE|FALSE)\b
    |(?P<op><=|>=|<>|[-+*/^&=<>%(),;])
    )""",
    re.VERBOSE | re.IGNORECASE,
)


class _Syntax(Exception):
    pass


class _Fail(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Context:
    """Where references resolve: ``fetch``/``extent`` read the spreadsheet, ``sheet`` is the
    formula's own sheet; ``cache`` and ``visiting`` are per read."""

    fetch: Fetch
    extent: Extent
    cache: dict[tuple[str, int, int], Scalar] = field(default_factory=dict)
    visiting: set[tuple[str, int, int]] = field(default_factory=set)

    def value(self, title: str, row: int, col: int) -> Scalar:
        """The value of a cell: formulas are evaluated, with cycles reading as ``#REF!``."""
        key = (title, row, col)
        if key in self.cache:
            return self.cache[key]
        stored = self.fetch(title, row, col)
        if not isinstance(stored, Formula):
            return stored
        if key in self.visiting:
            return CellError("#REF!")
        self.visiting.add(key)
        try:
            result = evaluate(stored.text, title, self)
        finally:
            self.visiting.discard(key)
        self.cache[key] = result
        return result


def evaluate(text: str, sheet: str, context: Context) -> Scalar:
    """The value of formula ``text`` (with its ``=``) entered on sheet ``sheet``."""
    try:
        tokens = _tokenize(text[1:] if text.startswith("=") else text)
        parser = _Parser(tokens, sheet, context)
        result = parser.expression()
        if parser.pos != len(tokens):
            raise _Syntax
    except _Syntax:
        return CellError("#ERROR!")
    except _Fail as fail:
        return CellError(fail.code)
    if isinstance(result, list):
        result = result[0] if result else None
    scalar: Scalar = result
    return scalar


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise _Syntax
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def _number(value: Any) -> float:
    if isinstance(value, CellError):
        raise _Fail(value.code)
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float | int):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        raise _Fail("#VALUE!") from None


def _text(value: Any) -> str:
    if isinstance(value, CellError):
        raise _Fail(value.code)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        from sheets_emulator.grid.formats import general

        return general(value)
    return str(value)


def _flatten(args: list[Any]) -> Iterator[tuple[Any, bool]]:
    """Arguments with a flag: True when the value came from a range (ignore text there)."""
    for arg in args:
        if isinstance(arg, list):
            for item in arg:
                yield item, True
        else:
            yield arg, False


def _numbers(args: list[Any]) -> list[float]:
    out = []
    for value, from_range in _flatten(args):
        if isinstance(value, CellError):
            raise _Fail(value.code)
        if from_range and (value is None or isinstance(value, str | bool)):
            continue
        out.append(_number(value))
    return out


def _round(args: list[Any]) -> float:
    digits = int(_number(args[1])) if len(args) > 1 else 0
    factor = 10.0**digits
    value = _number(args[0]) * factor
    return math.copysign(math.floor(abs(value) + 0.5), value) / factor


def _average(args: list[Any]) -> float:
    numbers = _numbers(args)
    if not numbers:
        raise _Fail("#DIV/0!")
    return sum(numbers) / len(numbers)


_FUNCTIONS: dict[str, Callable[[list[Any]], Scalar]] = {
    "SUM": lambda a: float(sum(_numbers(a))),
    "AVERAGE": _average,
    "MIN": lambda a: min(_numbers(a), default=0.0),
    "MAX": lambda a: max(_numbers(a), default=0.0),
    "COUNT": lambda a: float(
        sum(1 for v, _ in _flatten(a) if isinstance(v, float) and not isinstance(v, bool))
    ),
    "COUNTA": lambda a: float(sum(1 for v, _ in _flatten(a) if v is not None and v != "")),
    "ABS": lambda a: abs(_number(a[0])),
    "ROUND": _round,
    "AND": lambda a: all(bool(_number(v)) for v, _ in _flatten(a)),
    "OR": lambda a: any(bool(_number(v)) for v, _ in _flatten(a)),
    "NOT": lambda a: not bool(_number(a[0])),
    "CONCATENATE": lambda a: "".join(_text(v) for v, _ in _flatten(a)),
    "CONCAT": lambda a: _text(a[0]) + _text(a[1]),
    "LEN": lambda a: float(len(_text(a[0]))),
    "UPPER": lambda a: _text(a[0]).upper(),
    "LOWER": lambda a: _text(a[0]).lower(),
    "TRIM": lambda a: " ".join(_text(a[0]).split()),
}


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], sheet: str, context: Context) -> None:
        self.tokens, self.pos, self.sheet, self.context = tokens, 0, sheet, context

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def _take(self, value: str) -> bool:
        kind, text = self._peek()
        if kind == "op" and text == value:
            self.pos += 1
            return True
        return False

    def expression(self) -> Any:
        left = self._concat()
        while self._peek()[0] == "op" and self._peek()[1] in ("=", "<>", "<", ">", "<=", ">="):
            op = self.tokens[self.pos][1]
            self.pos += 1
            left = _compare(op, _scalar(left), _scalar(self._concat()))
        return left

    def _concat(self) -> Any:
        left = self._additive()
        while self._take("&"):
            left = _text(_scalar(left)) + _text(_scalar(self._additive()))
        return left

    def _additive(self) -> Any:
        left = self._term()
        while self._peek() in (("op", "+"), ("op", "-")):
            op = self.tokens[self.pos][1]
            self.pos += 1
            a, b = _number(_scalar(left)), _number(_scalar(self._term()))
            left = a + b if op == "+" else a - b
        return left

    def _term(self) -> Any:
        left = self._power()
        while self._peek() in (("op", "*"), ("op", "/")):
            op = self.tokens[self.pos][1]
            self.pos += 1
            a, b = _number(_scalar(left)), _number(_scalar(self._power()))
            if op == "/" and b == 0:
                raise _Fail("#DIV/0!")
            left = a * b if op == "*" else a / b
        return left

    def _power(self) -> Any:
        left = self._unary()
        while self._take("^"):
            left = _number(_scalar(left)) ** _number(_scalar(self._unary()))
        return left

    def _unary(self) -> Any:
        if self._take("-"):
            return -_number(_scalar(self._unary()))
        if self._take("+"):
            return self._unary()
        value = self._primary()
        while self._take("%"):
            value = _number(_scalar(value)) / 100
        return value

    def _primary(self) -> Any:
        kind, text = self._peek()
        self.pos += 1
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "bool":
            return text.upper() == "TRUE"
        if kind == "ref":
            return self._reference(text)
        if kind == "func":
            return self._call(text.upper())
        if kind == "op" and text == "(":
            value = self.expression()
            if not self._take(")"):
                raise _Syntax
            return value
        raise _Syntax

    def _call(self, name: str) -> Any:
        args: list[Any] = []
        if not self._take(")"):
            while True:
                try:
                    args.append(self.expression())
                except _Fail as failure:  # an error is a value until a function uses it
                    args.append(CellError(failure.code))
                if self._take(")"):
                    break
                if not (self._take(",") or self._take(";")):
                    raise _Syntax
        if name == "IF":
            if len(args) < 2:
                raise _Fail("#N/A")
            return args[1] if _number(_scalar(args[0])) else (args[2] if len(args) > 2 else False)
        if name == "IFERROR":
            first = _scalar(args[0]) if args else None
            return (args[1] if len(args) > 1 else "") if isinstance(first, CellError) else first
        function = _FUNCTIONS.get(name)
        if function is None:
            raise _Fail("#NAME?")
        if not args and name not in ("SUM", "COUNT", "COUNTA"):
            raise _Fail("#N/A")
        return function(args)

    def _reference(self, text: str) -> Any:
        title: str | None = self.sheet
        cells = text
        if "!" in text:
            raw, _, cells = text.rpartition("!")
            title = raw[1:-1].replace("''", "'") if raw.startswith("'") else raw
        extent = self.context.extent(title)
        if extent is None:
            raise _Fail("#REF!")
        resolved, rows, cols = extent
        try:
            bounds = parse_cells(cells.replace("$", ""))
        except A1Error:
            raise _Fail("#REF!") from None
        end_row = rows if bounds.end_row is None else bounds.end_row
        end_col = cols if bounds.end_col is None else bounds.end_col
        if bounds.start_row >= rows or bounds.start_col >= cols:
            raise _Fail("#REF!")
        single = ":" not in cells
        values = [
            self.context.value(resolved, r, c)
            for r in range(bounds.start_row, min(end_row, rows))
            for c in range(bounds.start_col, min(end_col, cols))
        ]
        return values[0] if single else values


def _scalar(value: Any) -> Scalar:
    if isinstance(value, list):
        if len(value) != 1:
            raise _Fail("#VALUE!")
        return value[0]  # type: ignore[no-any-return]
    return value  # type: ignore[no-any-return]


def _compare(op: str, a: Scalar, b: Scalar) -> bool:
    for v in (a, b):
        if isinstance(v, CellError):
            raise _Fail(v.code)
    left: Any = a.lower() if isinstance(a, str) else (0.0 if a is None else a)
    right: Any = b.lower() if isinstance(b, str) else (0.0 if b is None else b)
    if type(left) is not type(right):
        rank = {float: 0, int: 0, str: 1, bool: 2}
        left, right = rank[type(left)], rank[type(right)]
    results = {
        "=": left == right,
        "<>": left != right,
        "<": left < right,
        ">": left > right,
        "<=": left <= right,
        ">=": left >= right,
    }
    outcome: bool = results[op]
    return outcome
