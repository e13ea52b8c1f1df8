"""Parsing and validation of GraphQL documents: bounded, off the event loop, cached small.

:class:`DocumentGate` is the one Strawberry extension that parses and validates (in place
of Strawberry's ``MaxTokensLimiter``, ``ParserCache``, ``ValidationCache`` and its depth
and alias rules):

* **bounded**: the parser stops after ``max_tokens`` tokens; the depth, alias and
  fragment-spread limits (:mod:`server.api.limits`) are measured first, in one linear
  pass, and graphql-core's own rules (some quadratic in the fields of a selection set)
  run only on a document that passed them;
* **off the event loop**: a document that is not cached is parsed and validated in a
  worker thread, one at a time by default, so ``/healthz`` and every other request
  keep being served while a hostile document is looked at;
* **cached small**: a document of at most ``cache_bytes`` characters is kept with its
  validation errors in one :class:`~server.cache.TtlCache` of ``cache_size`` entries;
  a bigger one is looked at and forgotten, so distinct big bodies leave nothing behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import anyio
import anyio.to_thread
from graphql import ASTValidationRule, DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from server.api.limits import DocumentLimits
from server.cache import TtlCache


@dataclass
class Looked:
    """A document as parsed, and its validation errors once validated."""

    document: DocumentNode
    errors: list[GraphQLError] | None = None


class DocumentCache:
    """Parsed and validated documents of one schema (see the module docstring)."""

    def __init__(
        self,
        *,
        limits: DocumentLimits,
        max_tokens: int,
        cache_size: int = 128,
        cache_bytes: int = 4096,
        workers: int = 1,
    ) -> None:
        self.limits = limits
        self.max_tokens = max_tokens
        self.cache_bytes = cache_bytes
        self._cache: TtlCache[str, Looked] = TtlCache(size=cache_size)
        self._workers = workers
        self._limiter: anyio.CapacityLimiter | None = None

    def __len__(self) -> int:
        return len(self._cache)

    def cached(self, text: str) -> Looked | None:
        return self._cache.get(text) if len(text) <= self.cache_bytes else None

    def keep(self, text: str, looked: Looked) -> None:
        if len(text) <= self.cache_bytes:
            self._cache.put(text, looked)

    async def off_loop(self, work: Callable[[], Looked]) -> Looked:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self._workers)
        return await anyio.to_thread.run_sync(work, limiter=self._limiter)

    def parse(self, text: str) -> Looked:
        return Looked(parse(text, max_tokens=self.max_tokens))

    def validate(
        self, looked: Looked, schema: object, rules: tuple[type[ASTValidationRule], ...]
    ) -> Looked:
        errors = self.limits.errors(looked.document)
        if not errors:
            errors = validate_document(schema, looked.document, rules)  # type: ignore[arg-type]
        return Looked(looked.document, list(errors))


class DocumentGate(SchemaExtension):
    """Strawberry's parse and validate steps through a :class:`DocumentCache`."""

    def __init__(self, documents: DocumentCache) -> None:
        super().__init__()
        self.documents = documents
        self.looked: Looked | None = None

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        text = context.query or ""
        looked = self.documents.cached(text)
        if looked is None:
            looked = await self.documents.off_loop(lambda: self.documents.parse(text))
            self.documents.keep(text, looked)
        self.looked = looked
        context.graphql_document = looked.document
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        looked = self.looked
        if looked is not None and context.graphql_document is looked.document:
            if looked.errors is None:
                rules = tuple(context.validation_rules)
                schema = context.schema._schema
                looked = await self.documents.off_loop(
                    lambda: self.documents.validate(looked, schema, rules)
                )
                self.documents.keep(context.query or "", looked)
            context.pre_execution_errors = list(looked.errors or [])
        yield
