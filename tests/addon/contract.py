"""The GraphQL schema the add-on is written against: ``schema.graphql``, plus the names of the
quarter-close workflow contract (``/work/helpers/workflow-contract.md``: ``run``, ``status``,
``quarters``, ``alerts``, ``setAlerts``, ``classifyQuarter(wait:, trigger:)``) for as long as
the backend's ``schema.graphql`` does not have them yet.

Once the backend's run-lifecycle work is on main, ``schema.graphql`` has every name below and
``workflow_schema()`` is ``schema.graphql`` alone; this shim then only adds what is missing
(nothing), and may be deleted."""

from __future__ import annotations

import re

from graphql import GraphQLSchema, build_schema

from tests.addon.harness import ROOT

SCHEMA_FILE = ROOT / "schema.graphql"

# The contract's additions, as SDL, by the name each one defines.
_TYPES = {
    "RunStatus": "enum RunStatus { RUNNING SUCCEEDED FAILED }",
    "AlertOn": "enum AlertOn { NEW_HARD_MISS FLAG_RAISED RUN_FAILED EVERY_RUN }",
    "VerdictChange": (
        "type VerdictChange { group: String quarter: String! before: Verdict after: Verdict! }"
    ),
    "QuarterChoice": (
        "type QuarterChoice { quarter: String! label: String! inProgress: Boolean!"
        " classifiable: Boolean! }"
    ),
    "AlertSettings": (
        "type AlertSettings { spreadsheetId: ID! webhookUrl: String on: [AlertOn!]! }"
    ),
}
_RUN_FIELDS = {
    "status": "status: RunStatus!",
    "error": "error: String",
    "caller": "caller: String",
    "changes": "changes: [VerdictChange!]!",
    "startedAt": "startedAt: DateTime!",
    "finishedAt": "finishedAt: DateTime",
    "trigger": "trigger: String!",
    "optionsJson": "optionsJson: String!",
}
_QUERY_FIELDS = {
    "run": "run(id: ID!): ClassificationRun",
    "quarters": "quarters(spreadsheetId: ID!, options: ClassifyOptions): [QuarterChoice!]!",
    "alerts": "alerts(spreadsheetId: ID!): AlertSettings",
}
_MUTATION_FIELDS = {
    "setAlerts": (
        "setAlerts(spreadsheetId: ID!, webhookUrl: String,"
        " on: [AlertOn!]! = [NEW_HARD_MISS, RUN_FAILED]): AlertSettings!"
    ),
}
_CLASSIFY_ARGS = {"wait": "wait: Int = 25", "trigger": 'trigger: String = "API"'}


def _missing(text: str) -> tuple[list[str], list[str]]:
    """What ``schema.graphql`` lacks: classifyQuarter arguments, and SDL to add."""
    base = build_schema(text)
    mutation = base.mutation_type
    assert mutation is not None
    assert base.query_type is not None
    classify = mutation.fields["classifyQuarter"]
    missing_args = [sdl for name, sdl in _CLASSIFY_ARGS.items() if name not in classify.args]
    extra = [sdl for name, sdl in _TYPES.items() if name not in base.type_map]
    run_fields = getattr(base.type_map["ClassificationRun"], "fields", {})
    for label, fields, have in (
        ("ClassificationRun", _RUN_FIELDS, run_fields),
        ("Query", _QUERY_FIELDS, base.query_type.fields),
        ("Mutation", _MUTATION_FIELDS, mutation.fields),
    ):
        wanted = [sdl for name, sdl in fields.items() if name not in have]
        if wanted:
            extra.append(f"extend type {label} {{ {' '.join(wanted)} }}")
    return missing_args, extra


def workflow_schema() -> GraphQLSchema:
    """``schema.graphql`` with whatever of the workflow contract it lacks."""
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    missing_args, extra = _missing(text)
    if missing_args:
        text = re.sub(
            r"classifyQuarter\(([^)]*)\)",
            lambda m: f"classifyQuarter({m.group(1)}, {', '.join(missing_args)})",
            text,
            count=1,
        )
    return build_schema(text + "\n" + "\n".join(extra))


def contract_complete_in_schema_graphql() -> bool:
    """Has the backend's ``schema.graphql`` every name of the workflow contract?"""
    missing_args, extra = _missing(SCHEMA_FILE.read_text(encoding="utf-8"))
    return not missing_args and not extra
