"""Objects of the GraphQL schema as the API answers them, without running a query.

:func:`answer` walks a Strawberry object's type definition: every field of the schema,
named as the schema names it (camelCase), resolvers called with their argument defaults,
enums by name, date-times in ISO 8601, as Strawberry's scalars serialise them. A field
added to a type appears here with no change. The CLI's ``--json`` prints
:func:`run_answer`, so it is exactly what ``classifyQuarter`` answers when every field
of ``ClassificationRun`` is selected (a test compares the two).
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from graphql import GraphQLError
from strawberry.types.private import is_private

from server import classification as domain
from server.api.errors import ApiError
from server.api.schema import ClassificationRun, DataIssue, schema
from server.store.port import RunRecord

_NAMES = schema.config.name_converter

#: How many data issues a refused run's error carries (``extensions.issues``).
REFUSAL_ISSUES = 50


def run_answer(run: RunRecord) -> dict[str, Any]:
    """A run as the GraphQL ``ClassificationRun`` with every field selected."""
    shaped: dict[str, Any] = answer(ClassificationRun.of(run))
    return shaped


def issues_answer(issues: Sequence[domain.DataIssue]) -> list[dict[str, Any]]:
    """Data issues as the GraphQL ``DataIssue`` with every field selected."""
    return [answer(DataIssue.of(issue)) for issue in issues]


def add_refused_issues(errors: Sequence[GraphQLError]) -> None:
    """A refused run still delivers its data issues (SPEC 2.5): the error of a run refused
    after its tabs were read gets ``extensions.issues`` (the first 50, shaped as
    ``DataIssue``) and ``extensions.issueCount`` (all of them)."""
    for error in errors:
        original = error.original_error
        if isinstance(original, ApiError) and original.issues:
            error.extensions = {
                **(error.extensions or {}),
                "issues": issues_answer(original.issues[:REFUSAL_ISSUES]),
                "issueCount": len(original.issues),
            }


def answer(value: Any) -> Any:
    """``value`` as GraphQL would answer it: objects by their schema fields, lists item by
    item, enums by name, date-times in ISO 8601, other scalars as they are."""
    if isinstance(value, enum.Enum):  # before objects: enums carry a definition too
        return value.name
    definition = getattr(type(value), "__strawberry_definition__", None)
    if definition is not None:
        return {
            _NAMES.get_graphql_name(field): answer(_resolve(value, field))
            for field in definition.fields
            if not is_private(field.type)
        }
    if isinstance(value, list | tuple):
        return [answer(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _resolve(obj: object, field: Any) -> Any:
    resolver = field.base_resolver
    if resolver is None:
        return getattr(obj, field.python_name)
    function = resolver.wrapped_func
    parameters = list(inspect.signature(function).parameters.values())[1:]
    if any(p.default is inspect.Parameter.empty for p in parameters):
        raise TypeError(
            f"{field.python_name} needs arguments or the request context: "
            "it cannot be answered without a query"
        )
    result = function(obj)
    if inspect.isawaitable(result):
        raise TypeError(f"{field.python_name} is asynchronous: answer it through a query")
    return result
