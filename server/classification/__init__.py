"""The classification domain: pure functions over 2-D lists of cell values.

No I/O, no clock, no environment. Entry point: :func:`classify`.
"""

from __future__ import annotations

from server.classification.errors import (
    ClassificationError,
    ColumnNotFound,
    HeaderNotFound,
    InvalidOptions,
    NoQuarterEnded,
    NoQuarters,
    NoWonDeals,
    RivalVersions,
    UnknownQuarter,
)
from server.classification.model import (
    Cause,
    ClassificationResult,
    ClassifyOptions,
    ColumnUse,
    Comparison,
    DataIssue,
    DateOrder,
    Drivers,
    Flag,
    LeftOut,
    Pace,
    Quarter,
    QuarterVerdict,
    Severity,
    TabReading,
    Verdict,
    VerdictChange,
)

__all__ = [
    "Cause",
    "ClassificationError",
    "ClassificationResult",
    "ClassifyOptions",
    "ColumnNotFound",
    "ColumnUse",
    "Comparison",
    "DataIssue",
    "DateOrder",
    "Drivers",
    "Flag",
    "HeaderNotFound",
    "InvalidOptions",
    "LeftOut",
    "NoQuarterEnded",
    "NoQuarters",
    "NoWonDeals",
    "Pace",
    "Quarter",
    "QuarterVerdict",
    "RivalVersions",
    "Severity",
    "TabReading",
    "UnknownQuarter",
    "Verdict",
    "VerdictChange",
    "classify",
    "parse_quarter",
]

from server.classification.engine import classify, parse_quarter
