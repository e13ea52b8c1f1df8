"""Parsing and validation of GraphQL documents: bounded, off the event loop, cached small.

:class:`DocumentGate` is the one Strawberry extension that parses and validates (in place
of Strawberry's ``MaxTokensLimiter``, ``ParserCache``, ``ValidationCache`` and its depth
and alias rules):

* **bounded**: the parser stops after ``max_tokens`` tokens; the depth, alias and
  fragment-spread limits (:mod:`server.api.limits`) are measured first, in one linear
  pass, and graphql-core's own rules (some quadratic in the fields of a selection set)
  run only on a document that passed them;
* **off the event loop**: a document that is not cached is parsed and validated in a
  worker thread, one at a time by default, so ``/healthz`` and every other request keep
  being served while a hostile document is looked at; identical documents arriving
  together (a quarter-end burst) are looked at once, the others wait for that answer;
* **cached small**: a document of at most ``cache_bytes`` characters is kept with its
  validation errors in one :class:`~server.cache.TtlCache` of ``cache_size`` entries;
  a bigger one is looked at and forgotten, so distinct big bodies leave nothing behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import anyio
import anyio.to_thread
from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from server.api.limits import DocumentLimits
from server.cache import TtlCache


@dataclass(frozen=True)
class Looked:
    """A document as parsed, and its validation errors (none: it may run)."""

    document: DocumentNode
    errors: tuple[GraphQLError, ...]


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
        self._pending: dict[str, asyncio.Future[Looked]] = {}
        self._workers = workers
        self._limiter: anyio.CapacityLimiter | None = None

    def __len__(self) -> int:
        return len(self._cache)

    def look(
        self, text: str, schema: GraphQLSchema, rules: Sequence[type[ASTValidationRule]]
    ) -> Looked:
        """Parse and validate, blocking: our limits first, graphql-core's rules after."""
        document = parse(text, max_tokens=self.max_tokens)
        errors = self.limits.errors(document)
        if not errors:
            errors = validate_document(schema, document, tuple(rules))
        return Looked(document, tuple(errors))

    async def looked(
        self, text: str, schema: GraphQLSchema, rules: Sequence[type[ASTValidationRule]]
    ) -> Looked:
        """:meth:`look` off the event loop, through the cache for small documents."""
        small = len(text) <= self.cache_bytes
        if not small:
            return await self._off_loop(text, schema, rules)
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        pending = self._pending.get(text)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Looked] = asyncio.get_running_loop().create_future()
        self._pending[text] = future
        try:
            looked = await self._off_loop(text, schema, rules)
        except BaseException as err:
            if isinstance(err, Exception):
                future.set_exception(err)
                future.exception()  # retrieved: waiters get it, nobody else need
            else:
                future.cancel()
            raise
        finally:
            del self._pending[text]
        self._cache.put(text, looked)
        future.set_result(looked)
        return looked

    async def _off_loop(
        self, text: str, schema: GraphQLSchema, rules: Sequence[type[ASTValidationRule]]
    ) -> Looked:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self._workers)
        return await anyio.to_thread.run_sync(
            lambda: self.look(text, schema, rules), limiter=self._limiter
        )


class DocumentGate(SchemaExtension):
    """Strawberry's parse and validate steps through a :class:`DocumentCache`."""

    def __init__(self, documents: DocumentCache) -> None:
        super().__init__()
        self.documents = documents
        self.seen: Looked | None = None

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        self.seen = await self.documents.looked(
            context.query or "", context.schema._schema, context.validation_rules
        )
        context.graphql_document = self.seen.document
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        seen = self.seen
        if seen is not None and context.graphql_document is seen.document:
            context.pre_execution_errors = list(seen.errors)
        yield
