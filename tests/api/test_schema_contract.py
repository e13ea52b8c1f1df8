"""The GraphQL schema keeps the contract of ``docs/api-contract.graphql``, and
``schema.graphql`` is what the code generates."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    Undefined,
    build_schema,
)

from server.api.schema import schema

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "docs" / "api-contract.graphql"


def test_schema_graphql_file_is_generated_from_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed.strip() == schema.as_str().strip(), (
        "schema.graphql drifted from the code: run `make schema` and commit the result"
    )


def test_every_type_field_argument_and_default_of_the_contract_is_kept() -> None:
    spec = build_schema(CONTRACT.read_text(encoding="utf-8"))
    ours = build_schema(schema.as_str())
    for name, spec_type in spec.type_map.items():
        if name.startswith("__"):
            continue
        assert name in ours.type_map, f"type {name} is missing"
        our_type = ours.type_map[name]
        assert type(our_type) is type(spec_type), f"{name} changed kind"
        if isinstance(spec_type, GraphQLEnumType):
            assert isinstance(our_type, GraphQLEnumType)
            assert set(spec_type.values) == set(our_type.values), f"enum {name} values differ"
        elif isinstance(spec_type, GraphQLInputObjectType):
            assert isinstance(our_type, GraphQLInputObjectType)
            for field_name, field in spec_type.fields.items():
                assert field_name in our_type.fields, f"{name}.{field_name} is missing"
                ours_field = our_type.fields[field_name]
                assert str(ours_field.type) == str(field.type), f"{name}.{field_name} type"
                assert ours_field.default_value == field.default_value, (
                    f"{name}.{field_name} default"
                )
        elif isinstance(spec_type, GraphQLObjectType):
            assert isinstance(our_type, GraphQLObjectType)
            for field_name, field in spec_type.fields.items():
                assert field_name in our_type.fields, f"{name}.{field_name} is missing"
                ours_field = our_type.fields[field_name]
                assert str(ours_field.type) == str(field.type), f"{name}.{field_name} type"
                for arg_name, arg in field.args.items():
                    assert arg_name in ours_field.args, f"{name}.{field_name}({arg_name}) missing"
                    our_arg = ours_field.args[arg_name]
                    assert str(our_arg.type) == str(arg.type), f"{name}.{field_name}({arg_name})"
                    assert our_arg.default_value == arg.default_value, (
                        f"{name}.{field_name}({arg_name}) default"
                    )
                extra_required = [
                    a
                    for a, v in ours_field.args.items()
                    if a not in field.args
                    and str(v.type).endswith("!")
                    and v.default_value is Undefined
                ]
                assert not extra_required, f"{name}.{field_name} gained required args"
