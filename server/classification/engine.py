"""Placeholder until the engine lands: keeps the package importable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from server.classification.model import ClassificationResult, ClassifyOptions, Quarter


def classify(
    plan_values: Sequence[Sequence[Any]],
    bookings_values: Sequence[Sequence[Any]],
    options: Mapping[str, Any] | ClassifyOptions | None = None,
) -> ClassificationResult:
    raise NotImplementedError("the classification engine is being built")


def parse_quarter(label: str, fiscal_year_start_month: int = 1) -> Quarter:
    raise NotImplementedError("the classification engine is being built")
