"""Entry point: the GraphQL API over HTTP (Strawberry on Starlette).

:mod:`~server.api.app` builds the ASGI app (adapters in its lifespan),
:mod:`~server.api.schema` the GraphQL schema, :mod:`~server.api.auth` turns an
``Authorization`` header into a caller, :mod:`~server.api.errors` translates expected
failures into GraphQL errors once, :mod:`~server.api.context` is the per-request context.
"""
