"""Alembic migration scripts of the run store (``env.py`` and ``versions/``)."""
