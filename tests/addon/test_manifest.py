"""The Apps Script manifest and the clasp files: scopes, allow-list, what clasp pushes."""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import urlsplit

from tests.addon.harness import ADDON

MANIFEST = json.loads((ADDON / "appsscript.json").read_text(encoding="utf-8"))


def test_manifest_runs_on_v8_with_the_scopes_the_backend_needs() -> None:
    assert MANIFEST["runtimeVersion"] == "V8"
    assert set(MANIFEST["oauthScopes"]) == {
        "https://www.googleapis.com/auth/script.container.ui",
        "https://www.googleapis.com/auth/script.external_request",
        # ScriptApp.newTrigger / getUserTriggers / deleteTrigger: the schedule's
        # installable time-driven trigger.
        "https://www.googleapis.com/auth/script.scriptapp",
        # The backend calls the Sheets REST API with the user's token; the REST API
        # refuses spreadsheets.currentonly.
        "https://www.googleapis.com/auth/spreadsheets",
        # ScriptApp.getIdentityToken() (service-account mode) and its e-mail claim.
        "openid",
        "https://www.googleapis.com/auth/userinfo.email",
    }


def test_url_fetch_allow_list_entries_are_valid_prefixes() -> None:
    entries = MANIFEST["urlFetchWhitelist"]
    assert entries
    for entry in entries:
        parts = urlsplit(entry)
        assert parts.scheme == "https", entry
        assert parts.hostname is not None, entry
        assert "." in parts.hostname, f"{entry}: needs a full domain"
        assert parts.path not in ("", "/"), f"{entry}: needs a non-empty path"


def clasp_pushes(root: Path) -> set[str]:
    """What clasp pushes: every file not ignored by .claspignore (patterns in order,
    later ones win; a pattern without "/" matches top-level names, as minimatch does)."""
    patterns = [p.strip() for p in (root / ".claspignore").read_text().splitlines() if p.strip()]
    files = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "node_modules" not in p.parts
    }

    def matches(pattern: str, path: str) -> bool:
        if pattern in ("**", "**/*", "**/**"):
            return True
        return "/" not in path and fnmatchcase(path, pattern)

    pushed = set()
    for path in files:
        ignored = False
        for pattern in patterns:
            negated = pattern.startswith("!")
            if matches(pattern.lstrip("!"), path):
                ignored = not negated
        if not ignored:
            pushed.add(path)
    return pushed


def test_clasp_pushes_only_the_manifest_scripts_and_pages() -> None:
    pushed = clasp_pushes(ADDON)
    assert pushed == {
        "appsscript.json",
        "Code.gs",
        "Runs.gs",
        "Schedule.gs",
        "Alerts.gs",
        "Sidebar.html",
        "Settings.html",
    }
    code = "".join(p.read_text(encoding="utf-8") for p in sorted(ADDON.glob("*.gs")))
    for page in re.findall(r"createHtmlOutputFromFile\('([^']+)'\)", code):
        assert f"{page}.html" in pushed, f"{page}.html is opened but not pushed"


def test_clasp_json_template() -> None:
    example = json.loads((ADDON / ".clasp.json.example").read_text(encoding="utf-8"))
    assert set(example) >= {"scriptId", "rootDir"}
    gitignore = (ADDON / ".gitignore").read_text(encoding="utf-8").split()
    assert ".clasp.json" in gitignore, "the real .clasp.json holds someone's script id"


def test_package_json_pins_its_dev_dependencies_with_lower_bounds() -> None:
    package = json.loads((ADDON / "package.json").read_text(encoding="utf-8"))
    assert package["private"] is True
    wanted = {"typescript", "@types/google-apps-script", "playwright-core"}
    assert set(package["devDependencies"]) >= wanted
    for name in wanted:
        assert re.fullmatch(r"\^\d+\.\d+\.\d+", package["devDependencies"][name]), name
    lock = json.loads((ADDON / "package-lock.json").read_text(encoding="utf-8"))
    for name in wanted:
        assert f"node_modules/{name}" in lock["packages"], f"{name} missing from the lock file"
