"""Fixtures for the add-on tests (Node, npm packages, Chromium; skipped locally when missing,
failing when CI sets REQUIRE_NODE=1 / REQUIRE_CHROMIUM=1)."""

from __future__ import annotations

import pytest

from tests.addon.harness import AddonRunner, node_path


@pytest.fixture(scope="session")
def addon() -> AddonRunner:
    return AddonRunner(node_path())
