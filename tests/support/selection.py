"""GraphQL selections of every field of a type, built from ``schema.graphql``: a test that
compares whole answers keeps comparing every field when fields are added."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graphql import (
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    build_schema,
    get_named_type,
    is_non_null_type,
)

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"


@cache
def _schema() -> GraphQLSchema:
    return build_schema(SDL.read_text(encoding="utf-8"))


def every_field(type_name: str) -> str:
    """``{ a b c { x y } … }``: every field of ``type_name`` that needs no argument,
    object fields expanded the same way."""
    named = _schema().get_type(type_name)
    assert isinstance(named, GraphQLObjectType), type_name
    return _selection(named)


def _selection(named: GraphQLNamedType) -> str:
    if not isinstance(named, GraphQLObjectType):
        return ""
    fields = []
    for name, field in named.fields.items():
        required = [
            arg
            for arg in field.args.values()
            if is_non_null_type(arg.type) and arg.default_value is Undefined
        ]
        if not required:
            fields.append(f"{name} {_selection(get_named_type(field.type))}".strip())
    return "{ " + " ".join(fields) + " }"
