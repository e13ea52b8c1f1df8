"""Every GraphQL document the add-on sends validates against schema.graphql."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    OperationDefinitionNode,
    SelectionSetNode,
    build_schema,
    parse,
    print_ast,
    validate,
)
from graphql.language import Lexer, Source, TokenKind

from tests.addon.contract import workflow_schema
from tests.addon.documents import Document, addon_documents
from tests.addon.harness import ROOT

# schema.graphql, with the names of the quarter-close workflow contract it does not have yet
# (tests/addon/contract.py: the backend's work on runs lands them).
SCHEMA = workflow_schema()
BARE_SCHEMA = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
DOCUMENTS = addon_documents()
# The backend's default limits (server/config.py): documents must fit them.
MAX_DEPTH = 10
MAX_TOKENS = 2000


def test_the_add_on_has_graphql_documents() -> None:
    assert DOCUMENTS, "no GraphQL document found in addon/ (scanner or sources broken)"
    operations = {
        sel.name.value
        for d in DOCUMENTS
        for op in parse(d.text).definitions
        if isinstance(op, OperationDefinitionNode)
        for sel in op.selection_set.selections
        if isinstance(sel, FieldNode)
    }
    assert {
        "classifyQuarter",
        "latestRun",
        "run",
        "runs",
        "quarters",
        "alerts",
        "setAlerts",
    } <= operations


def test_the_run_and_the_latest_run_select_the_same_fields() -> None:
    """The sidebar renders both alike (Runs.gs keeps two copies: no fragments, no ${})."""
    by_operation = {
        op.name.value: op
        for d in DOCUMENTS
        for op in parse(d.text).definitions
        if isinstance(op, OperationDefinitionNode) and op.name is not None
    }

    def selection(name: str, field_name: str) -> str:
        [field] = [
            f
            for f in by_operation[name].selection_set.selections
            if isinstance(f, FieldNode) and f.name.value == field_name
        ]
        assert field.selection_set is not None
        return print_ast(field.selection_set)

    assert selection("AddonRun", "run") == selection("AddonLatestRun", "latestRun")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.where())
def test_document_validates_against_schema_graphql(document: Document) -> None:
    assert not document.interpolated, f"{document.where()}: no ${{...}} inside a document"
    ast = parse(document.text)
    errors = validate(SCHEMA, ast)
    assert not errors, f"{document.where()}: " + "; ".join(e.message for e in errors)
    for definition in ast.definitions:
        assert isinstance(definition, OperationDefinitionNode)
        assert definition.name is not None, f"{document.where()}: name the operation"
    assert _depth(ast) <= MAX_DEPTH
    assert _tokens(document.text) <= MAX_TOKENS


def test_scanner_finds_documents_and_rejects_broken_ones(tmp_path: Path) -> None:
    (tmp_path / "A.gs").write_text(
        "var A = `\nquery Q($id: ID!) { latestRun(spreadsheetId: $id) { nope } }\n`;\n"
        "var B = 'mutation M { classifyQuarter(spreadsheetId: \"x\") { id } }';\n"
        "var C = `not a document`;\n",
        encoding="utf-8",
    )
    found = addon_documents(tmp_path)
    assert [d.line for d in found] == [1, 4]
    assert validate(SCHEMA, parse(found[0].text)), "an unknown field must not validate"
    assert not validate(SCHEMA, parse(found[1].text))
    assert not validate(BARE_SCHEMA, parse(found[1].text))


def _depth(ast: DocumentNode) -> int:
    def depth(selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        return 1 + max(
            (depth(getattr(s, "selection_set", None)) for s in selection_set.selections),
            default=0,
        )

    return max(
        depth(d.selection_set) for d in ast.definitions if isinstance(d, OperationDefinitionNode)
    )


def _tokens(text: str) -> int:
    lexer = Lexer(Source(text))
    count = 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count
