"""The service layer: one classification is read → classify → write → record.

* :mod:`~server.service.orchestration` — :class:`ClassificationService`: runs it, and
  answers the run history;
* :mod:`~server.service.summary` — the Summary tab's layout (pure);
* :mod:`~server.service.runs` — :class:`RunManager`: runs that outlive a request (identical
  requests share one run; runs of a sheet queue without threads: :mod:`~server.service.queueing`;
  runs of dead workers end: :mod:`~server.service.lease`);
* :mod:`~server.service.alerting` — alert settings kept, alerts posted after runs;
* :mod:`~server.service.identities` — who asked (the e-mail behind a token);
* :mod:`~server.service.quarters` — which quarter a run is about, and the sheet's quarters;
* :mod:`~server.service.amounts` — sums the store can keep, checked before any write;
* :mod:`~server.service.failures` — how a run that did not succeed is described;
* :mod:`~server.service.summary_tab` — whose tab the Summary may go to (only ours);
* :mod:`~server.service.limits` — what one run keeps (issues, cell text, runs kept);
* :mod:`~server.service.recent` — the latest run per caller, kept for a moment;
* :mod:`~server.service.access` — who may classify a spreadsheet and read its runs;
* :mod:`~server.service.callers` — the service's inputs: :class:`Caller`,
  :class:`ClassifyRequest`.
"""

from __future__ import annotations

from server.service.access import AccessDenied
from server.service.alerting import Alerting, AlertsView
from server.service.amounts import SumTooLarge
from server.service.callers import Caller, ClassifyRequest
from server.service.failures import Describe, Failure, RunFailed
from server.service.limits import RunLimits
from server.service.orchestration import ClassificationService
from server.service.quarters import QuarterChoice, resolve_quarter
from server.service.runs import RunManager, TooManyRuns

__all__ = [
    "AccessDenied",
    "Alerting",
    "AlertsView",
    "Caller",
    "ClassificationService",
    "ClassifyRequest",
    "Describe",
    "Failure",
    "QuarterChoice",
    "RunFailed",
    "RunLimits",
    "RunManager",
    "SumTooLarge",
    "TooManyRuns",
    "resolve_quarter",
]
