"""Drive the add-on's pages in headless Chromium (addon/test/sidebar.js) and judge colours."""

from __future__ import annotations

import colorsys
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.addon.harness import ADDON, ROOT, node_path, require_chromium, require_node_modules

SIDEBAR_JS = ADDON / "test" / "sidebar.js"


def browse(*args: str, timeout: float = 180) -> dict[str, Any]:
    node = node_path()
    require_node_modules("playwright-core")
    require_chromium()
    done = subprocess.run(
        [node, str(SIDEBAR_JS), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def rgb(css: str) -> tuple[int, int, int]:
    match = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)", css)
    assert match, css
    assert match.group(4) in (None, "1"), f"{css}: translucent colours hide the real contrast"
    r, g, b = (int(match.group(i)) for i in (1, 2, 3))
    return r, g, b


def luminance(css: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = rgb(css)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def family(css: str) -> str:
    r, g, b = rgb(css)
    hue, saturation, _ = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
    degrees = hue * 360
    if saturation < 0.03:
        return "grey"
    if degrees < 20 or degrees > 340:
        return "red"
    if 25 <= degrees <= 60:
        return "amber"
    if 90 <= degrees <= 160:
        return "green"
    return f"other ({degrees:.0f}°)"


def browse_with(command: str, config: dict[str, Any], tmp: Path) -> dict[str, Any]:
    """``sidebar.js COMMAND CONFIG.json``: the pages bridged to the add-on (one browser)."""
    path = tmp / f"{command}.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return browse(command, str(path))


def keep_screenshot(made: Path, name: str) -> None:
    """Copy a screenshot into docs/ when there is none yet (or when asked to refresh)."""
    target = ROOT / "docs" / name
    assert made.stat().st_size > 10_000, f"{made} looks empty"
    if not target.exists() or os.environ.get("SALES_VERDICTS_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(made, target)
