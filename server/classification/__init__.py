"""The classification domain: pure functions over 2-D lists of cell values.

No I/O, no clock, no environment. Entry point: :func:`classify`.
"""

from __future__ import annotations

from server.classification.errors import (
    ClassificationError,
    ColumnNotFound,
    HeaderNotFound,
    InvalidOptions,
    NoQuarters,
    UnknownQuarter,
)
from server.classification.model import (
    ClassificationResult,
    ClassifyOptions,
    Comparison,
    DataIssue,
    Flag,
    Quarter,
    QuarterVerdict,
    Severity,
    Verdict,
)

__all__ = [
    "ClassificationError",
    "ClassificationResult",
    "ClassifyOptions",
    "ColumnNotFound",
    "Comparison",
    "DataIssue",
    "Flag",
    "HeaderNotFound",
    "InvalidOptions",
    "NoQuarters",
    "Quarter",
    "QuarterVerdict",
    "Severity",
    "UnknownQuarter",
    "Verdict",
    "classify",
    "parse_quarter",
]

from server.classification.engine import classify, parse_quarter
