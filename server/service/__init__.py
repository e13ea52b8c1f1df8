"""The service layer: one classification is read → classify → write → record.

* :mod:`~server.service.orchestration` — :class:`ClassificationService`: runs it, and
  answers the run history;
* :mod:`~server.service.summary` — the Summary tab's layout (pure);
* :mod:`~server.service.summary_tab` — whose tab the Summary may go to (only ours);
* :mod:`~server.service.limits` — what one run keeps (issues, cell text, runs kept);
* :mod:`~server.service.flights` — single flight for quarter-end bursts;
* :mod:`~server.service.recent` — the latest run per caller, kept for a moment;
* :mod:`~server.service.access` — who may read a spreadsheet's runs;
* :mod:`~server.service.callers` — the service's inputs: :class:`Caller`,
  :class:`ClassifyRequest`.
"""

from __future__ import annotations

from server.service.access import AccessDenied
from server.service.callers import Caller, ClassifyRequest
from server.service.limits import RunLimits
from server.service.orchestration import ClassificationService, resolve_quarter

__all__ = [
    "AccessDenied",
    "Caller",
    "ClassificationService",
    "ClassifyRequest",
    "RunLimits",
    "resolve_quarter",
]
