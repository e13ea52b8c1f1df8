"""A faithful Google Sheets API v4 emulator (plus the Drive v3 and OAuth calls gspread,
google-auth and the backend make), served over real HTTP so unmodified gspread runs against it.

Public entry points:

* :func:`create_app` — the Starlette app (tests, the demo);
* :class:`EmulatorState` — its memory, also the seeding API (``create_spreadsheet``,
  ``share``, ``add_token``, ``values``, ``dump``);
* :func:`serve` — run it with uvicorn until interrupted (``sales-verdicts emulator``).

Grouped by the API it serves, as Google's storage-testbench and LocalStack are::

    http/      the app, the route table (http/routes.py), routing, middleware, errors as JSON
    sheets/    Sheets v4: spreadsheets.get, values, batchUpdate (and its requests),
               developerMetadata
    drive/     Drive v3: files, permissions
    auth/      bearer tokens, the OAuth token endpoint, ID tokens, userinfo/tokeninfo
    controls/  the /_emulator test controls and the guard that keeps browsers out of them
    grid/      the in-memory model: cells, A1 notation, ranges, formats, formulas, rendering
    state.py   everything it remembers, behind one lock; errors.py; fields.py (field masks)

The test controls under ``/_emulator/`` need no token: they answer only on loopback ``Host``
names and take only JSON; bind to loopback and never expose the emulator.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

from sheets_emulator.controls.guard import host_name, is_loopback
from sheets_emulator.http.app import create_app
from sheets_emulator.state import EmulatorState

__all__ = ["EmulatorState", "create_app", "serve"]

log = logging.getLogger("sheets_emulator")


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    tokens: Mapping[str, str] = {},
    fault_rate: float = 0.0,
    latency_ms: int = 0,
    service_account_files: Iterable[str | Path] = (),
) -> None:
    """Serve the emulator with uvicorn until interrupted (blocking).

    ``service_account_files`` are service-account key files (JSON) whose JWTs the token
    endpoint accepts. Uvicorn's access log stays off: the emulator keeps its own request
    log (``GET /_emulator/requests``), which never holds tokens.
    """
    import uvicorn

    keys = [json.loads(Path(path).read_text()) for path in service_account_files]
    exposed = not is_loopback(host_name(host))
    app = create_app(
        tokens=tokens,
        fault_rate=fault_rate,
        latency_ms=latency_ms,
        service_accounts=keys,
        control_hosts=[host] if exposed else [],
    )
    if exposed:
        log.warning(
            "the Sheets API emulator listens on %s: its /_emulator controls need no token, "
            "keep it off any network you do not trust",
            host,
        )
    log.info("Sheets API emulator on http://%s:%s (%d tokens)", host, port, len(tokens))
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="info")
