"""Drive the add-on's pages in headless Chromium (addon/test/sidebar.js) and judge colours."""

from __future__ import annotations

import colorsys
import json
import re
import subprocess
from typing import Any

from tests.addon.harness import ADDON, node_path, require_chromium, require_node_modules

SIDEBAR_JS = ADDON / "test" / "sidebar.js"


def browse(*args: str) -> dict[str, Any]:
    node = node_path()
    require_node_modules("playwright-core")
    require_chromium()
    done = subprocess.run(
        [node, str(SIDEBAR_JS), *args],
        capture_output=True,
        text=True,
        timeout=120,
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
