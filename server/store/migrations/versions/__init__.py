"""Alembic revisions of the run store, oldest first by ``down_revision``."""
