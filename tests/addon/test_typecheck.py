"""The add-on's JavaScript type-checks (tsc, checkJs) against @types/google-apps-script."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.addon.harness import ADDON, node_path, require_node_modules

pytestmark = pytest.mark.node

TYPECHECK = ADDON / "test" / "typecheck.js"


def typecheck(source_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    node = node_path()
    require_node_modules("typescript", "@types/google-apps-script")
    args = [node, str(TYPECHECK)] + ([str(source_dir)] if source_dir else [])
    return subprocess.run(args, capture_output=True, text=True, timeout=180, check=False)


def test_addon_type_checks() -> None:
    done = typecheck()
    assert done.returncode == 0, done.stdout + done.stderr
    # The server code and both pages were checked.
    for project in ("server (.gs)", "client (Sidebar.html)", "client (Settings.html)"):
        assert f"ok   {project}" in done.stdout


def test_type_check_catches_a_wrong_apps_script_call(tmp_path: Path) -> None:
    for source in ADDON.iterdir():
        if source.suffix in (".gs", ".html"):
            shutil.copy(source, tmp_path / source.name)
    code = tmp_path / "Code.gs"
    code.write_text(
        code.read_text(encoding="utf-8").replace(".createAddonMenu()", ".createAddOnMenu()"),
        encoding="utf-8",
    )
    sidebar = tmp_path / "Sidebar.html"
    sidebar.write_text(
        sidebar.read_text(encoding="utf-8").replace(".textContent = text;", ".textContnt = text;"),
        encoding="utf-8",
    )
    done = typecheck(tmp_path)
    assert done.returncode != 0
    assert "Code.gs(" in done.stdout
    assert "createAddOnMenu" in done.stdout
    assert "Sidebar.html(" in done.stdout
    assert "textContnt" in done.stdout
