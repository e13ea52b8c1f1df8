"""Replaying a recording of the real Sheets/Drive API against the emulator.

A recording (vcrpy JSON, made by gspread's own test suite against Google) is a list of
request/response pairs. The replay sends each request, in order, to the emulator and compares
the answer with what Google answered:

* ids Google assigned (spreadsheet ids, sheet ids, named range ids, protected range ids,
  chart ids) are learned from the answers, by walking the recorded and the emulator's answer
  side by side, and substituted in later requests and expected answers;
* a request for a spreadsheet the recording never created that Google answered with 403
  gets a spreadsheet owned by someone else (the private file the recording account could not
  open); one Google answered with 404 stays unknown;
* answers must be equal as JSON, except Drive timestamps (``createdTime``/``modifiedTime``);
  non-JSON answers (CSV exports) must be equal as text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.emulator import EmulatorHandle

RECORDINGS = Path(__file__).parent / "recordings"
CALLER = "telegram-budgeter@telegram-budgeter.iam.gserviceaccount.com"
STRANGER = "someone-else@example.com"
TOKEN = "replay-token"
ID_KEYS = ("sheetId", "namedRangeId", "protectedRangeId", "chartId")
IGNORED = frozenset({"createdTime", "modifiedTime"})
_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
_FILE_ID = re.compile(r"^/(?:v4/spreadsheets|drive/v3/files|upload/drive/v2/files)/([^/:?]+)")


@dataclass
class Mismatch:
    index: int
    request: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return (
            f"[{self.index}] {self.request}\n  expected: {_short(self.expected)}\n"
            f"  actual:   {_short(self.actual)}"
        )


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) < 600 else text[:600] + "…"


@dataclass
class Replay:
    emulator: EmulatorHandle
    spreadsheets: dict[str, str] = field(default_factory=dict)
    ids: dict[str, dict[Any, Any]] = field(default_factory=lambda: {k: {} for k in ID_KEYS})
    mismatches: list[Mismatch] = field(default_factory=list)
    interactions: int = 0

    # --- id mapping --------------------------------------------------------------------

    def _map_text(self, text: str) -> str:
        for recorded, actual in self.spreadsheets.items():
            text = text.replace(recorded, actual)
        return text

    def _map(self, value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if key in self.ids and not isinstance(item, dict | list):
                    out[key] = self.ids[key].get(item, item)
                else:
                    out[key] = self._map(item)
            return out
        if isinstance(value, list):
            return [self._map(item) for item in value]
        if isinstance(value, str):
            return self._map_text(value)
        return value

    def _learn(self, recorded: Any, actual: Any) -> None:
        if isinstance(recorded, dict) and isinstance(actual, dict):
            for key, item in recorded.items():
                if key not in actual:
                    continue
                if key in self.ids and not isinstance(item, dict | list):
                    self.ids[key].setdefault(item, actual[key])
                elif key in ("spreadsheetId", "id") and isinstance(item, str):
                    if isinstance(actual[key], str) and len(item) > 20:
                        self.spreadsheets.setdefault(item, actual[key])
                else:
                    self._learn(item, actual[key])
        elif isinstance(recorded, list) and isinstance(actual, list):
            for a, b in zip(recorded, actual, strict=False):
                self._learn(a, b)

    # --- replay ------------------------------------------------------------------------

    def _seed_private(self, path: str, status: int) -> None:
        match = _FILE_ID.match(path)
        if not match or status != 403:
            return
        recorded = match.group(1)
        if recorded in self.spreadsheets:
            return
        self.spreadsheets[recorded] = self.emulator.state.create_spreadsheet(STRANGER, "Private")

    def run(self, name: str) -> None:
        recording = json.loads((RECORDINGS / name).read_text())
        with httpx.Client(timeout=30) as client:
            for index, interaction in enumerate(recording["interactions"]):
                self._one(client, index, interaction)

    def _one(self, client: httpx.Client, index: int, interaction: dict[str, Any]) -> None:
        request, response = interaction["request"], interaction["response"]
        uri: str = request["uri"]
        host = next(h for h in _HOSTS if uri.startswith(h))
        path = uri[len(host) :]
        status = int(response["status"]["code"])
        self._seed_private(path.split("?")[0], status)
        body = request.get("body")
        content = None
        headers = {"Authorization": f"Bearer {TOKEN}"}
        if body:
            content_type = (request.get("headers", {}).get("Content-Type") or [""])[0]
            if content_type.startswith("application/json"):
                content = json.dumps(self._map(json.loads(body))).encode()
            else:
                content = body.encode() if isinstance(body, str) else bytes(body)
            if content_type:
                headers["Content-Type"] = content_type
        url = self.emulator.url + self._map_text(path)
        answer = client.request(request["method"], url, content=content, headers=headers)
        self.interactions += 1
        label = f"{request['method']} {path[:160]}"
        if answer.status_code != status:
            self.mismatches.append(
                Mismatch(index, label, status, f"{answer.status_code} {answer.text[:300]}")
            )
            return
        expected_text = response.get("body", {}).get("string") or ""
        if not expected_text:
            return
        try:
            expected = json.loads(expected_text)
        except json.JSONDecodeError:
            if answer.text != expected_text:
                self.mismatches.append(Mismatch(index, label, expected_text, answer.text))
            return
        actual = answer.json()
        self._learn(expected, actual)
        expected = _drop_ignored(self._map(expected))
        if expected != _drop_ignored(actual):
            self.mismatches.append(Mismatch(index, label, expected, actual))


def _drop_ignored(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_ignored(v) for k, v in value.items() if k not in IGNORED}
    if isinstance(value, list):
        return [_drop_ignored(v) for v in value]
    return value


def recordings() -> list[str]:
    return sorted(p.name for p in RECORDINGS.glob("*.json"))
