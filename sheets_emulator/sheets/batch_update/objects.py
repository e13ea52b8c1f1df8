"""batchUpdate requests on objects attached to sheets: named ranges, conditional format
rules, charts, the basic filter and protected ranges. They are stored and read back in the
metadata; they change no values (protection and conditional formats are not enforced)."""

from __future__ import annotations

import copy
import re
from typing import Any

from sheets_emulator import fields
from sheets_emulator.grid import defaults
from sheets_emulator.grid.model import Sheet
from sheets_emulator.grid.ranges import grid_range_json
from sheets_emulator.sheets.batch_update.transaction import (
    Handler,
    RequestFailed,
    Transaction,
    field_paths,
)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_CELLISH = re.compile(r"^(?:[A-Za-z]{1,3}[0-9]+|[Rr][0-9]+[Cc][0-9]+|true|false)$", re.IGNORECASE)


def _clean_grid(txn: Transaction, grid: Any) -> tuple[Sheet, dict[str, Any]]:
    """Check a ``GridRange`` and return it as the API stores it (``sheetId`` 0 left out)."""
    window = txn.window(grid, write=False)
    out: dict[str, Any] = {}
    if window.sheet.sheet_id:
        out["sheetId"] = window.sheet.sheet_id
    for key in ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"):
        if grid.get(key) is not None:
            out[key] = int(grid[key])
    return window.sheet, out


# --- named ranges ---------------------------------------------------------------------------


def _check_name(txn: Transaction, name: Any, ignore_id: str | None = None) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or _CELLISH.match(name):
        raise RequestFailed(f"Invalid name: {name}")
    for named in txn.spreadsheet.named_ranges:
        if named["name"].casefold() == name.casefold() and named["namedRangeId"] != ignore_id:
            raise RequestFailed(f"Named range with name '{name}' already exists.")
    return name


def add_named_range(txn: Transaction, body: dict[str, Any]) -> dict[str, Any]:
    given = body.get("namedRange") or {}
    name = _check_name(txn, given.get("name"))
    _, grid = _clean_grid(txn, given.get("range"))
    taken = {n["namedRangeId"] for n in txn.spreadsheet.named_ranges}
    named_id = str(given.get("namedRangeId") or txn.new_id())
    if named_id in taken:
        raise RequestFailed(f"Named range with id {named_id} already exists.")
    named = {"namedRangeId": named_id, "name": name, "range": grid}
    txn.spreadsheet.named_ranges.append(named)
    return {"namedRange": copy.deepcopy(named)}


def _named(txn: Transaction, named_id: Any) -> dict[str, Any]:
    for named in txn.spreadsheet.named_ranges:
        if named["namedRangeId"] == str(named_id):
            return named
    raise RequestFailed(f"No named range with id: {named_id}")


def delete_named_range(txn: Transaction, body: dict[str, Any]) -> None:
    named = _named(txn, body.get("namedRangeId"))
    txn.spreadsheet.named_ranges.remove(named)


def update_named_range(txn: Transaction, body: dict[str, Any]) -> None:
    given = body.get("namedRange") or {}
    named = _named(txn, given.get("namedRangeId"))
    paths = field_paths(body)
    updated = copy.deepcopy(named)
    fields.apply(updated, given, paths)
    updated["namedRangeId"] = named["namedRangeId"]
    updated["name"] = _check_name(txn, updated.get("name"), ignore_id=named["namedRangeId"])
    _, updated["range"] = _clean_grid(txn, updated.get("range") or {})
    named.clear()
    named.update(updated)


# --- conditional formats --------------------------------------------------------------------


def _rule(txn: Transaction, rule: Any) -> tuple[Sheet, dict[str, Any]]:
    if not isinstance(rule, dict) or not rule.get("ranges"):
        raise RequestFailed("A conditional format rule needs at least one range.")
    if not (rule.get("booleanRule") or rule.get("gradientRule")):
        raise RequestFailed("A conditional format rule needs a booleanRule or a gradientRule.")
    cleaned = [_clean_grid(txn, grid) for grid in rule["ranges"]]
    sheets = {id(sheet) for sheet, _ in cleaned}
    if len(sheets) != 1:
        raise RequestFailed("All ranges of a conditional format rule must be on the same sheet.")
    out = defaults.normalise_colors(copy.deepcopy(rule))
    out["ranges"] = [grid for _, grid in cleaned]
    return cleaned[0][0], out


def add_conditional_format_rule(txn: Transaction, body: dict[str, Any]) -> None:
    sheet, rule = _rule(txn, body.get("rule"))
    sheet = txn.writable(sheet)
    index = int(body.get("index") or 0)
    if index > len(sheet.conditional_formats):
        raise RequestFailed(f"Invalid index: {index}")
    sheet.conditional_formats.insert(index, rule)


def delete_conditional_format_rule(txn: Transaction, body: dict[str, Any]) -> dict[str, Any]:
    sheet = txn.sheet(body.get("sheetId"))
    index = int(body.get("index") or 0)
    if not 0 <= index < len(sheet.conditional_formats):
        raise RequestFailed(f"No conditional format on sheet {sheet.sheet_id} at index {index}")
    return {"rule": sheet.conditional_formats.pop(index)}


def update_conditional_format_rule(txn: Transaction, body: dict[str, Any]) -> dict[str, Any]:
    sheet = txn.sheet(body.get("sheetId"))
    index = int(body.get("index") or 0)
    if not 0 <= index < len(sheet.conditional_formats):
        raise RequestFailed(f"No conditional format on sheet {sheet.sheet_id} at index {index}")
    old = sheet.conditional_formats.pop(index)
    if body.get("rule") is not None:
        _, new = _rule(txn, body["rule"])
        sheet.conditional_formats.insert(index, new)
        return {"oldRule": old, "newRule": new, "oldIndex": index, "newIndex": index}
    new_index = int(body.get("newIndex") or 0)
    sheet.conditional_formats.insert(min(new_index, len(sheet.conditional_formats)), old)
    return {"oldRule": old, "newRule": old, "oldIndex": index, "newIndex": new_index}


# --- charts ---------------------------------------------------------------------------------


def _all_chart_ids(txn: Transaction) -> set[int]:
    return {int(c["chartId"]) for s in txn.spreadsheet.sheets for c in s.charts}


def add_chart(txn: Transaction, body: dict[str, Any]) -> dict[str, Any]:
    chart = copy.deepcopy(body.get("chart") or {})
    if not isinstance(chart.get("spec"), dict):
        raise RequestFailed("A chart needs a spec.")
    taken = _all_chart_ids(txn)
    chart_id = chart.get("chartId")
    if chart_id is None:
        chart_id = txn.new_id(taken)
    elif int(chart_id) in taken:
        raise RequestFailed(f"An embedded object with id {chart_id} already exists.")
    chart["chartId"] = int(chart_id)
    position = chart.setdefault("position", {})
    anchor = (position.get("overlayPosition") or {}).get("anchorCell") or {}
    sheet_id = position.get("sheetId", anchor.get("sheetId"))
    if position.get("newSheet"):
        raise RequestFailed("Charts on a new sheet are not supported by the emulator.")
    sheet = txn.sheet(sheet_id if sheet_id is not None else txn.spreadsheet.sheets[0].sheet_id)
    chart = defaults.normalise_colors(chart)
    sheet.charts.append(chart)
    return {"chart": copy.deepcopy(chart)}


def delete_embedded_object(txn: Transaction, body: dict[str, Any]) -> None:
    object_id = int(body.get("objectId") or 0)
    for sheet in txn.spreadsheet.sheets:
        if any(int(c["chartId"]) == object_id for c in sheet.charts):
            writable = txn.writable(sheet)
            writable.charts = [c for c in writable.charts if int(c["chartId"]) != object_id]
            return
    raise RequestFailed(f"No embedded object with id: {object_id}")


# --- basic filter ---------------------------------------------------------------------------


def set_basic_filter(txn: Transaction, body: dict[str, Any]) -> None:
    given = copy.deepcopy(body.get("filter") or {})
    window = txn.window(given.get("range"))
    given["range"] = grid_range_json(
        window.sheet.sheet_id, window.r0, window.r1, window.c0, window.c1
    )
    window.sheet.basic_filter = given


def clear_basic_filter(txn: Transaction, body: dict[str, Any]) -> None:
    txn.sheet(body.get("sheetId")).basic_filter = None


# --- protected ranges -----------------------------------------------------------------------


def add_protected_range(txn: Transaction, body: dict[str, Any]) -> dict[str, Any]:
    given = body.get("protectedRange") or {}
    sheet, grid = _clean_grid(txn, given.get("range"))
    sheet = txn.writable(sheet)
    taken = {int(p["protectedRangeId"]) for s in txn.spreadsheet.sheets for p in s.protected_ranges}
    stored: dict[str, Any] = {"protectedRangeId": txn.new_id(taken), "range": grid}
    if given.get("description"):
        stored["description"] = given["description"]
    if given.get("warningOnly"):
        stored["warningOnly"] = True
    stored["requestingUserCanEdit"] = True
    reply = {**copy.deepcopy(stored), "editors": {}}
    editors = given.get("editors") or {}
    users = [txn.caller, *[u for u in editors.get("users") or [] if u != txn.caller]]
    stored["editors"] = {"users": users}
    if editors.get("groups"):
        stored["editors"]["groups"] = list(editors["groups"])
    sheet.protected_ranges.append(stored)
    return {"protectedRange": reply}


def delete_protected_range(txn: Transaction, body: dict[str, Any]) -> None:
    wanted = int(body.get("protectedRangeId") or 0)
    for sheet in txn.spreadsheet.sheets:
        if any(int(p["protectedRangeId"]) == wanted for p in sheet.protected_ranges):
            writable = txn.writable(sheet)
            writable.protected_ranges = [
                p for p in writable.protected_ranges if int(p["protectedRangeId"]) != wanted
            ]
            return
    raise RequestFailed(f"No protected range with id: {wanted}")


HANDLERS: dict[str, Handler] = {
    "addNamedRange": add_named_range,
    "deleteNamedRange": delete_named_range,
    "updateNamedRange": update_named_range,
    "addConditionalFormatRule": add_conditional_format_rule,
    "deleteConditionalFormatRule": delete_conditional_format_rule,
    "updateConditionalFormatRule": update_conditional_format_rule,
    "addChart": add_chart,
    "deleteEmbeddedObject": delete_embedded_object,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
}
