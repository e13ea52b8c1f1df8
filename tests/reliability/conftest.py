"""The reliability suite (issue 6): messy sheets, faults, kills, fuzzing, abuse.

Every scenario runs against real processes (the emulator and the server) and counts what
it tried and what happened. ``make test`` runs the quick versions; ``make bench`` runs
them again with ``SALES_VERDICTS_RELIABILITY=full`` (more examples, more trials) and
collects the tallies from the JSON file named by ``SALES_VERDICTS_RELIABILITY_REPORT``
into the figures table of docs/reliability.md.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.backend import Stack, backend

FULL = os.environ.get("SALES_VERDICTS_RELIABILITY", "quick") == "full"

settings.register_profile(
    "reliability-quick",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "reliability-full",
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROFILE = settings.get_profile("reliability-full" if FULL else "reliability-quick")


def trials(quick: int, full: int) -> int:
    """How many times a scenario is tried: ``quick`` under make test, ``full`` under make bench."""
    return full if FULL else quick


class Tally:
    """What each scenario tried and what came of it, e.g. ``{"tried": 25, "verdicts": 19,
    "coded_errors": 6, "internal_errors": 0, "input_tabs_changed": 0}``."""

    def __init__(self) -> None:
        self.scenarios: dict[str, Counter[str]] = {}

    def count(self, scenario: str, outcome: str, n: int = 1) -> None:
        self.scenarios.setdefault(scenario, Counter())[outcome] += n

    def dump(self, path: Path) -> None:
        old = json.loads(path.read_text()) if path.exists() else {}
        old.update({name: dict(counts) for name, counts in self.scenarios.items()})
        path.write_text(json.dumps(old, indent=2, sort_keys=True))


_TALLY = Tally()


@pytest.fixture(scope="session")
def tally() -> Iterator[Tally]:
    yield _TALLY
    report = os.environ.get("SALES_VERDICTS_RELIABILITY_REPORT")
    if report:
        _TALLY.dump(Path(report))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The emulator and the server as real processes, shared by a module's tests."""
    with backend(tmp_path_factory.mktemp("reliability")) as running:
        yield running
