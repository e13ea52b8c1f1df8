"""The service layer: one classification is read → classify → write → record.

:mod:`~server.service.orchestration` runs it; :mod:`~server.service.summary` lays out
the Summary tab (pure).
"""

from __future__ import annotations

from server.service.orchestration import (
    AccessDenied,
    Caller,
    ClassificationService,
    ClassifyRequest,
    resolve_quarter,
)

__all__ = [
    "AccessDenied",
    "Caller",
    "ClassificationService",
    "ClassifyRequest",
    "resolve_quarter",
]
