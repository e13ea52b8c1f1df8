"""GraphiQL on ``GET /graphql``, from assets inside the package (no CDN: it works offline).

Strawberry's own GraphiQL page loads React and GraphiQL from unpkg.com; the app serves
:data:`PAGE` instead, whose scripts and styles are the vendored copies in
``static/graphiql/`` (see the README there for versions and licences), mounted at
:data:`ASSETS`.
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

DIRECTORY = Path(__file__).parent / "static" / "graphiql"
ASSETS = "/static/graphiql"
PAGE = (DIRECTORY / "index.html").read_text(encoding="utf-8").replace("{assets}", ASSETS)


def assets() -> Mount:
    """The route that serves the vendored files."""
    return Mount(ASSETS, app=StaticFiles(directory=DIRECTORY), name="graphiql-assets")
