"""A faithful Google Sheets API v4 emulator (plus the Drive v3 and OAuth calls gspread and
google-auth make), served over real HTTP so unmodified gspread runs against it.

Public entry points:

* :func:`sheets_emulator.app.create_app` — the Starlette app (tests, the demo);
* :func:`serve` — run it with uvicorn until interrupted (``sales-verdicts emulator``);
* :class:`sheets_emulator.state.EmulatorState` — its memory, also the seeding API
  (``create_spreadsheet``, ``share``, ``add_token``, ``values``, ``dump``).

The test controls under ``/_emulator/`` need no token: bind to loopback and never expose it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["serve"]

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

    from sheets_emulator.app import create_app

    keys = [json.loads(Path(path).read_text()) for path in service_account_files]
    app = create_app(
        tokens=tokens, fault_rate=fault_rate, latency_ms=latency_ms, service_accounts=keys
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning(
            "the Sheets API emulator listens on %s: its /_emulator controls need no token, "
            "keep it off any network you do not trust",
            host,
        )
    log.info("Sheets API emulator on http://%s:%s (%d tokens)", host, port, len(tokens))
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="info")
