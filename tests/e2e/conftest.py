"""End-to-end fixtures: PostgreSQL from tests/support (servers come from tests.support.backend)."""

from __future__ import annotations

from tests.support.postgres import postgres_server, postgres_url  # noqa: F401
