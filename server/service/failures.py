"""How a run that did not succeed is described: a code, a message, the data issues, and
whether it was a refusal.

A *refusal* is the caller's request that cannot be done as it is (bad data or options,
no access, a sheet or tab that does not exist, a token Google refuses). A refusal
found while the caller is still waiting is answered as an error and leaves no run; one
found after the caller was answered RUNNING ends the run FAILED. Any other failure
(Google unavailable or out of quota, the run store failing, a bug) ends the run FAILED
in both cases.

The codes are the API's (``server.api.errors.translate`` is their one home): the entry
points hand the service a :data:`Describe` built on it. Without one, the service knows
only the domain's refusals (``BAD_INPUT``) and calls everything else ``INTERNAL``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.classification import ClassificationError
from server.store.port import RunRecord

#: Codes of refusals (see the module docstring); every other code is a failure.
REFUSALS = frozenset({"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_INPUT"})
#: Issues a FAILED run keeps (the first ones), as a refused run's error carries.
FAILED_RUN_ISSUES = 50


@dataclass(frozen=True)
class Failure:
    code: str
    message: str
    issues: tuple[Any, ...] = ()

    @property
    def refusal(self) -> bool:
        return self.code in REFUSALS

    @property
    def text(self) -> str:
        """As ``ClassificationRun.error`` shows it: ``"CODE: message"``."""
        return f"{self.code}: {self.message}"


Describe = Callable[[BaseException], Failure]


def describe_plainly(err: BaseException) -> Failure:
    """The description without the API's codes: the domain's refusals, else INTERNAL."""
    if isinstance(err, ClassificationError):
        return Failure("BAD_INPUT", str(err), tuple(err.issues))
    return Failure("INTERNAL", f"Unexpected error ({type(err).__name__}).")


class RunFailed(Exception):
    """A run that ended FAILED (and is recorded so): ``run`` is the record; the cause is
    chained (``raise RunFailed(run) from err``)."""

    def __init__(self, run: RunRecord) -> None:
        super().__init__(run.error or "the run failed")
        self.run = run


class RunInterrupted(Exception):
    """The run was ended elsewhere (its worker was thought gone) before its result was
    recorded: nothing was written."""

    def __init__(self, run_id: str) -> None:
        super().__init__(f"run {run_id} was ended by another worker before its result was recorded")
        self.run_id = run_id
