"""GraphQL documents the backend's own tools send (CLI, demo, benchmarks, tests)."""

from __future__ import annotations

VERDICT_FIELDS = "group quarter plan bookings baseline attainment growth verdict flags action"
ISSUE_FIELDS = "tab row column value message severity cell"

RUN_FIELDS = f"""
    id spreadsheetId quarter classifiedAt summaryTab
    current {{ {VERDICT_FIELDS} }}
    verdicts {{ {VERDICT_FIELDS} }}
    issues {{ {ISSUE_FIELDS} }}
"""

CLASSIFY = f"""
mutation Classify($spreadsheetId: ID!, $quarter: String, $options: ClassifyOptions) {{
  classifyQuarter(spreadsheetId: $spreadsheetId, quarter: $quarter, options: $options) {{
    {RUN_FIELDS}
  }}
}}
"""

LATEST_RUN = f"""
query LatestRun($spreadsheetId: ID!) {{
  latestRun(spreadsheetId: $spreadsheetId) {{
    id quarter classifiedAt
    current {{ {VERDICT_FIELDS} }}
  }}
}}
"""

RUNS = """
query Runs($spreadsheetId: ID!, $limit: Int!) {
  runs(spreadsheetId: $spreadsheetId, limit: $limit) { id quarter classifiedAt }
}
"""
