"""What a GraphQL document may cost: depth, aliases and fragment spreads, measured in time
linear in the document.

Strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` walk a fragment again each
time it is spread, so a document whose 22 fragments each spread the next one twice costs
2^22 steps (14 s here, no token needed). :func:`measure` walks each selection set once:
a fragment's depth and alias count are computed the first time it is met and remembered,
and a spread adds the remembered figures (aliases count once per spread, as the executed
operation would have them). Cycles and unknown fragments count as nothing here; graphql-
core's own rules report them.

:class:`DocumentLimits` turns the figures into validation errors with the same words as
Strawberry's rules (``'Op' exceeds maximum operation depth of 10``, ``18 aliases found.
Allowed: 15``), plus a cap on the fragment spreads of a document, which bounds this walk
and graphql-core's own rules alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)

from server.quoting import quoted


@dataclass(frozen=True)
class Figures:
    """What a selection set (with what it spreads) adds up to."""

    depth: int = 0  # nesting below it: a leaf field is 0, ``a { b }`` is 1
    aliases: int = 0


@dataclass
class Cost:
    """A document's figures: the depth of each operation, aliases in all, spreads."""

    depths: dict[str, int] = field(default_factory=dict)
    aliases: int = 0
    spreads: int = 0


class _Walk:
    """One pass over a document; each fragment is measured once (memoised)."""

    def __init__(self, document: DocumentNode, alias_cap: int) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.measured: dict[str, Figures] = {}
        self.walking: set[str] = set()
        self.spreads = 0
        # alias counts grow as 2^n through a fan-out: above the cap the exact figure
        # does not matter, so sums stop there and stay small integers
        self.alias_cap = alias_cap

    def fragment(self, name: str) -> Figures:
        known = self.measured.get(name)
        if known is not None:
            return known
        definition = self.fragments.get(name)
        if definition is None or name in self.walking:
            return Figures()  # unknown or a cycle: graphql-core's rules say so
        self.walking.add(name)
        figures = self.selections(definition.selection_set)
        self.walking.discard(name)
        self.measured[name] = figures
        return figures

    def selections(self, selection_set: SelectionSetNode | None) -> Figures:
        depth = aliases = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                aliases += 1 if selection.alias else 0
                if selection.name.value.startswith("__"):
                    continue  # introspection: graphql-core's own rule limits its depth
                if selection.selection_set is not None:
                    inner = self.selections(selection.selection_set)
                    depth = max(depth, inner.depth + 1)
                    aliases += inner.aliases
            elif isinstance(selection, FragmentSpreadNode):
                self.spreads += 1
                inner = self.fragment(selection.name.value)
                depth = max(depth, inner.depth)
                aliases += inner.aliases
            elif isinstance(selection, InlineFragmentNode):
                inner = self.selections(selection.selection_set)
                depth = max(depth, inner.depth)
                aliases += inner.aliases
            aliases = min(aliases, self.alias_cap)
        return Figures(depth, aliases)


#: Alias counts are summed up to this (a fan-out would make them 2^n).
ALIAS_CAP = 1_000_000


def measure(document: DocumentNode, alias_cap: int = ALIAS_CAP) -> Cost:
    """The document's :class:`Cost`, in one pass over it (see the module docstring)."""
    walk = _Walk(document, alias_cap)
    cost = Cost()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            figures = walk.selections(definition.selection_set)
            name = definition.name.value if definition.name else "anonymous"
            cost.depths[name] = max(cost.depths.get(name, 0), figures.depth)
            cost.aliases = min(cost.aliases + figures.aliases, alias_cap)
    for name in walk.fragments:
        walk.fragment(name)  # spreads of fragments no operation uses count too
    cost.spreads = walk.spreads
    return cost


@dataclass(frozen=True)
class DocumentLimits:
    """The limits of SPEC 4.5 on a document's shape, as one validation rule class."""

    max_depth: int = 10
    max_aliases: int = 15
    max_spreads: int = 100

    def errors(self, document: DocumentNode) -> list[GraphQLError]:
        cost = measure(document, alias_cap=ALIAS_CAP)
        found = []
        if cost.spreads > self.max_spreads:
            found.append(
                GraphQLError(f"{cost.spreads} fragment spreads found. Allowed: {self.max_spreads}")
            )
        for name, depth in cost.depths.items():
            if depth > self.max_depth:
                found.append(
                    GraphQLError(
                        f"{quoted(name)} exceeds maximum operation depth of {self.max_depth}"
                    )
                )
        if cost.aliases > self.max_aliases:
            count = f"At least {ALIAS_CAP}" if cost.aliases >= ALIAS_CAP else str(cost.aliases)
            found.append(GraphQLError(f"{count} aliases found. Allowed: {self.max_aliases}"))
        return found

    def rule(self) -> type[ASTValidationRule]:
        """A graphql-core validation rule reporting :meth:`errors` (one class per limits)."""
        limits = self

        class DocumentLimitsRule(ASTValidationRule):
            def __init__(self, context: ValidationContext) -> None:
                super().__init__(context)
                for error in limits.errors(context.document):
                    context.report_error(error)

        return DocumentLimitsRule
