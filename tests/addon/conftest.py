"""Fixtures for the add-on tests. Node, the add-on's npm packages and Chromium are skipped
locally when missing and required when CI sets REQUIRE_NODE=1 / REQUIRE_CHROMIUM=1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.addon import fake_backend
from tests.addon.harness import AddonRunner, node_path
from tests.support.backend import Stack, backend


@pytest.fixture(scope="session")
def addon() -> AddonRunner:
    return AddonRunner(node_path())


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real backend (emulator + GraphQL server processes) in user mode."""
    with backend(tmp_path_factory.mktemp("backend")) as running:
        yield running


@pytest.fixture(scope="session")
def fake() -> Iterator[fake_backend.FakeBackend]:
    """A fake GraphQL backend answering per the workflow contract (runs scripted per sheet)."""
    with fake_backend.running() as running:
        yield running
