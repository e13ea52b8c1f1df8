"""What a new spreadsheet and a new sheet look like, copied from the recordings of the real API.

Also the colour rule the real API applies: colours are stored as 8-bit channels and read back
as the nearest float32 (``0.5`` reads as ``0.49803922``), and every ``*Color`` gets its
``*ColorStyle`` twin and the other way round.
"""

from __future__ import annotations

import copy
import math
import struct
from typing import Any

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26

_THEME_RGB: list[tuple[str, dict[str, float]]] = [
    ("TEXT", {}),
    ("BACKGROUND", {"red": 1, "green": 1, "blue": 1}),
    ("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
    ("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
    ("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
    ("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
    ("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
    ("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
    ("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}),
]

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}


def spreadsheet_properties(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "locale": "en_US",
        "autoRecalc": "ON_CHANGE",
        "timeZone": "Etc/GMT",
        "defaultFormat": copy.deepcopy(DEFAULT_FORMAT),
        "spreadsheetTheme": {
            "primaryFontFamily": "Arial",
            "themeColors": [
                {"colorType": kind, "color": {"rgbColor": dict(rgb)}} for kind, rgb in _THEME_RGB
            ],
        },
    }


def sheet_properties(
    sheet_id: int, title: str, index: int, rows: int = DEFAULT_ROWS, cols: int = DEFAULT_COLUMNS
) -> dict[str, Any]:
    return {
        "sheetId": sheet_id,
        "title": title,
        "index": index,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": rows, "columnCount": cols},
    }


def _float32(value: float) -> float:
    """The shortest decimal that reads back as the same float32 (``0.49803922``)."""
    single = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return float(text)
    return float(single)


def channel(value: Any) -> float | int:
    """A colour channel as stored: 8 bits, read back as float32; whole numbers as ints."""
    number = min(max(float(value), 0.0), 1.0)
    stored = _float32(math.floor(number * 255 + 1e-6) / 255)
    return int(stored) if stored.is_integer() else stored


def color(value: Any) -> dict[str, Any]:
    """An ``rgbColor``: channels quantised, zero channels omitted (proto3 defaults)."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, Any] = {}
    for key in ("red", "green", "blue", "alpha"):
        if key in value and value[key] is not None:
            stored = channel(value[key])
            if stored != 0 and not (key == "alpha" and stored == 1):
                out[key] = stored
    return out


def normalise_colors(obj: Any) -> Any:
    """Quantise colours and mirror ``fooColor`` ↔ ``fooColorStyle.rgbColor`` in a format."""
    if isinstance(obj, list):
        return [normalise_colors(item) for item in obj]
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key.endswith("ColorStyle"):
            if isinstance(value, dict) and value.get("rgbColor") is not None:
                out[key] = {"rgbColor": color(value["rgbColor"])}
            elif isinstance(value, dict) and value.get("themeColor"):
                out[key] = {"themeColor": value["themeColor"]}
        elif key.endswith("Color"):
            if value is None:
                continue
            out[key] = color(value)
        else:
            out[key] = normalise_colors(value)
    for key in list(out):
        if key.endswith("Color") and f"{key}Style" not in out and out[key] is not None:
            out[f"{key}Style"] = {"rgbColor": dict(out[key])}
        elif key.endswith("ColorStyle") and "rgbColor" in out[key]:
            plain = key[: -len("Style")]
            out.setdefault(plain, dict(out[key]["rgbColor"]))
    return out
