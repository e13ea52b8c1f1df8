"""GraphQL documents the backend's own tools send (CLI, demo, benchmarks, tests)."""

from __future__ import annotations

VERDICT_FIELDS = "group quarter plan bookings baseline attainment growth verdict flags action"
ISSUE_FIELDS = "tab row column value message severity cell"
DRIVER_FIELDS = (
    "deals averageDeal lostDeals winRate newBusiness expansion renewal leads "
    "bookingsPerLead dealsPerLead countEffect sizeEffect cause explanation"
)
#: A verdict with everything the run shows of it: gap, label, drivers, in progress.
FULL_VERDICT_FIELDS = f"{VERDICT_FIELDS} gap label inProgress drivers {{ {DRIVER_FIELDS} }}"
PACE_FIELDS = (
    "group quarter label asOf elapsed booked projected plan pipeline coverage outlook method"
)
READING_FIELDS = (
    "tab headerRow layout columns { column header role note } rowsCounted rowsSkipped "
    "total unit currency leftOut { reason rows } notes"
)

RUN_FIELDS = f"""
    id spreadsheetId quarter quarterLabel asOf currency inQuarter classifiedAt summaryTab
    current {{ {FULL_VERDICT_FIELDS} }}
    verdicts {{ {FULL_VERDICT_FIELDS} }}
    issues {{ {ISSUE_FIELDS} }}
    pace {{ {PACE_FIELDS} }}
    inputs {{ {READING_FIELDS} }}
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

#: What the workflow shows of a run: where it stands and what changed.
STATUS_FIELDS = (
    "id spreadsheetId quarter status error caller trigger optionsJson startedAt finishedAt "
    "classifiedAt changes { group quarter before after }"
)

START = f"""
mutation Start($spreadsheetId: ID!, $quarter: String, $options: ClassifyOptions,
               $wait: Int, $trigger: String) {{
  classifyQuarter(spreadsheetId: $spreadsheetId, quarter: $quarter, options: $options,
                  wait: $wait, trigger: $trigger) {{
    {STATUS_FIELDS}
    current {{ {VERDICT_FIELDS} }}
    issues {{ {ISSUE_FIELDS} }}
  }}
}}
"""

RUN = f"""
query Run($id: ID!) {{
  run(id: $id) {{
    {STATUS_FIELDS}
    current {{ {VERDICT_FIELDS} }}
    issues {{ {ISSUE_FIELDS} }}
  }}
}}
"""

HISTORY = f"""
query History($spreadsheetId: ID!, $limit: Int!) {{
  runs(spreadsheetId: $spreadsheetId, limit: $limit) {{ {STATUS_FIELDS} }}
}}
"""

QUARTERS = """
query Quarters($spreadsheetId: ID!, $options: ClassifyOptions) {
  quarters(spreadsheetId: $spreadsheetId, options: $options) {
    quarter label inProgress classifiable
  }
}
"""

ALERTS = """
query Alerts($spreadsheetId: ID!) {
  alerts(spreadsheetId: $spreadsheetId) { spreadsheetId webhookUrl on }
}
"""

SET_ALERTS = """
mutation SetAlerts($spreadsheetId: ID!, $webhookUrl: String, $on: [AlertOn!]!) {
  setAlerts(spreadsheetId: $spreadsheetId, webhookUrl: $webhookUrl, on: $on) {
    spreadsheetId webhookUrl on
  }
}
"""
