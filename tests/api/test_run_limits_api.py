"""The API answers a run's data issues as the run keeps them: the first ones, then how
many more of each kind (issue 13, SPEC 4.5)."""

from __future__ import annotations

from server.api.app import create_app
from server.config import Settings
from server.store import open_store
from tests.service.test_run_limits import messy
from tests.support.asgi import asgi_client
from tests.support.fakes import FakeSheets

QUERY = """
mutation { classifyQuarter(spreadsheetId: "sheet-1") {
  issues { tab row severity message } issueCounts { severity count } issuesOmitted
} }
"""


def test_issues_come_back_bounded_with_counts_of_all() -> None:
    sheets = FakeSheets()
    sheets.add("sheet-1", messy(2_000), "token-ana")
    settings = Settings(database_url="memory://", max_issues=50)
    app = create_app(settings, sheets_factory=lambda _: sheets, store_factory=open_store)
    with asgi_client(app) as client:
        answer = client.post(
            "/graphql", json={"query": QUERY}, headers={"Authorization": "Bearer token-ana"}
        ).json()
    run = answer["data"]["classifyQuarter"]
    assert len(run["issues"]) == 51
    counts = {c["severity"]: c["count"] for c in run["issueCounts"]}
    assert sum(counts.values()) == 2_003
    assert counts["INFO"] == 1
    assert run["issuesOmitted"] == 2_003 - 50
    assert "1,953 more" in run["issues"][-1]["message"]
