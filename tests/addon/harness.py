"""Run the add-on under Node (addon/test/scenario.js) and read back what a person saw."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "addon"
SCENARIO = ADDON / "test" / "scenario.js"
CHROMIUM = Path("/usr/bin/chromium")
SETTINGS_KEY = "SALES_VERDICTS_SETTINGS"
LEGACY_PREFIX = "salesVerdicts."


def missing(what: str, variable: str) -> None:
    """Skip locally; fail when CI said the tool must be there (REQUIRE_NODE=1 ...)."""
    if os.environ.get(variable) == "1":
        pytest.fail(f"{what}, and {variable}=1 says it must be")
    pytest.skip(what)


def node_path() -> str:
    path = shutil.which("node")
    if path is None:
        missing("node is not installed", "REQUIRE_NODE")
    assert path is not None
    return path


def require_node_modules(*packages: str) -> Path:
    modules = ADDON / "node_modules"
    for package in packages:
        if not (modules / package / "package.json").is_file():
            missing(f"npm package {package} is missing: run `npm ci` in addon/", "REQUIRE_NODE")
    return modules


def require_chromium() -> Path:
    if not CHROMIUM.is_file():
        missing(f"{CHROMIUM} is missing (apt-get install chromium)", "REQUIRE_CHROMIUM")
    return CHROMIUM


@dataclass
class Outcome:
    """What one scenario did: step results, and the stand-ins' record."""

    steps: list[dict[str, Any]]
    record: dict[str, Any]
    functions: list[str]
    document_properties: dict[str, str]
    user_properties: dict[str, str]
    raw: str = field(repr=False, default="")

    @property
    def alerts(self) -> list[str]:
        return [a["prompt"] for a in self.record["alerts"]]

    @property
    def toasts(self) -> list[str]:
        return [t["msg"] for t in self.record["toasts"]]

    @property
    def fetches(self) -> list[dict[str, Any]]:
        fetches: list[dict[str, Any]] = self.record["fetches"]
        return fetches

    def only_alert(self) -> str:
        assert len(self.alerts) == 1, f"expected one alert, got {self.alerts}"
        return self.alerts[0]

    def settings(self) -> dict[str, Any]:
        """The settings record the add-on saved ({} when none)."""
        raw = self.document_properties.get(SETTINGS_KEY)
        record: dict[str, Any] = json.loads(raw) if raw else {}
        return record

    @property
    def triggers(self) -> list[dict[str, Any]]:
        """The installable triggers there are at the end (every user's)."""
        triggers: list[dict[str, Any]] = self.record["triggers"]
        return triggers


class AddonRunner:
    """``node addon/test/scenario.js`` with a scenario on stdin."""

    def __init__(self, node: str) -> None:
        self.node = node

    def run(
        self,
        steps: Sequence[Mapping[str, Any]],
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = 120,
        **options: Any,
    ) -> Outcome:
        scenario = {"options": options, "steps": list(steps)}
        done = subprocess.run(
            [self.node, str(SCENARIO)],
            input=json.dumps(scenario),
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
            check=False,
        )
        assert done.returncode == 0, f"scenario.js failed:\n{done.stderr}\n{done.stdout}"
        answer = json.loads(done.stdout)
        for step in answer["steps"]:
            assert step["error"] is None, f"{step['call']} threw: {step['error']}"
        return Outcome(
            steps=answer["steps"],
            record=answer["record"],
            functions=answer["functions"],
            document_properties=answer["documentProperties"],
            user_properties=answer["userProperties"],
            raw=done.stdout,
        )


def settings_properties(**settings: Any) -> dict[str, str]:
    """Document properties as saved by the Settings dialog (one JSON record)."""
    return {SETTINGS_KEY: json.dumps(settings)}


def legacy_settings_properties(**settings: str) -> dict[str, str]:
    """Document properties as earlier versions saved them: one property per field."""
    return {LEGACY_PREFIX + k: v for k, v in settings.items()}


def prompt(text: str = "", button: str = "OK") -> dict[str, str]:
    return {"button": button, "text": text}
