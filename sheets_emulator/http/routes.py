"""Every route the emulator serves, in one table named by API method.

The Sheets and Drive names are the real APIs' method names (``sheets.spreadsheets.values.get``
is what Google's discovery document calls ``GET /v4/spreadsheets/{spreadsheetId}/values/
{range}``); the OAuth ones follow Google's own; the test controls are ``emulator.*``. How a
request finds its route (raw path, custom verbs, catch-alls): :mod:`sheets_emulator.http.routing`.
"""

from __future__ import annotations

from sheets_emulator.auth import endpoints as oauth
from sheets_emulator.controls import endpoints as controls
from sheets_emulator.drive import endpoints as drive
from sheets_emulator.http.routing import ANY, Route, RouteTable
from sheets_emulator.sheets import endpoints as sheets

ROUTES: tuple[Route, ...] = (
    # Sheets v4 ------------------------------------------------------------------------------------
    Route("POST", "/v4/spreadsheets", "sheets.spreadsheets.create", sheets.create),
    Route("GET", "/v4/spreadsheets/{spreadsheetId}", "sheets.spreadsheets.get", sheets.get),
    Route("POST", "/v4/spreadsheets/{spreadsheetId}:batchUpdate",
          "sheets.spreadsheets.batchUpdate", sheets.batch_update_spreadsheet),
    Route("POST", "/v4/spreadsheets/{spreadsheetId}/sheets/{sheetId}:copyTo",
          "sheets.spreadsheets.sheets.copyTo", sheets.copy_to),
    Route("GET", "/v4/spreadsheets/{spreadsheetId}/developerMetadata/{metadataId}",
          "sheets.spreadsheets.developerMetadata.get", sheets.developer_metadata_get),
    Route("POST", "/v4/spreadsheets/{spreadsheetId}/developerMetadata:search",
          "sheets.spreadsheets.developerMetadata.search", sheets.developer_metadata_search),
    Route("GET", "/v4/spreadsheets/{spreadsheetId}/values/{range}",
          "sheets.spreadsheets.values.get", sheets.values_get),
    Route("PUT", "/v4/spreadsheets/{spreadsheetId}/values/{range}",
          "sheets.spreadsheets.values.update", sheets.values_update),
    Route("POST", "/v4/spreadsheets/{spreadsheetId}/values/{range}:append",
          "sheets.spreadsheets.values.append", sheets.values_append),
    Route("POST", "/v4/spreadsheets/{spreadsheetId}/values/{range}:clear",
          "sheets.spreadsheets.values.clear", sheets.values_clear),
    Route("GET", "/v4/spreadsheets/{spreadsheetId}/values:batchGet",
          "sheets.spreadsheets.values.batchGet", sheets.values_batch_get),
    Route("POST", "/v4/spreadsheets/{spreadsheetId}/values:batchUpdate",
          "sheets.spreadsheets.values.batchUpdate", sheets.values_batch_update),
    Route("POST", "/v4/spreadsheets/{spreadsheetId}/values:batchClear",
          "sheets.spreadsheets.values.batchClear", sheets.values_batch_clear),
    Route(ANY, "/v4/spreadsheets/{path}", "emulator.sheets.unsupported", sheets.unsupported),
    # Drive v3 -------------------------------------------------------------------------------------
    Route("POST", "/drive/v3/files", "drive.files.create", drive.files_create),
    Route("GET", "/drive/v3/files", "drive.files.list", drive.files_list),
    Route("GET", "/drive/v3/files/{fileId}", "drive.files.get", drive.files_get),
    Route("PATCH", "/drive/v3/files/{fileId}", "drive.files.update", drive.files_update),
    Route("DELETE", "/drive/v3/files/{fileId}", "drive.files.delete", drive.files_delete),
    Route("POST", "/drive/v3/files/{fileId}/copy", "drive.files.copy", drive.files_copy),
    Route("GET", "/drive/v3/files/{fileId}/export", "drive.files.export", drive.files_export),
    Route("GET", "/drive/v3/files/{fileId}/comments", "drive.comments.list", drive.comments_list),
    Route("POST", "/drive/v3/files/{fileId}/permissions",
          "drive.permissions.create", drive.permissions_create),
    Route("GET", "/drive/v3/files/{fileId}/permissions",
          "drive.permissions.list", drive.permissions_list),
    Route("GET", "/drive/v3/files/{fileId}/permissions/{permissionId}",
          "drive.permissions.get", drive.permissions_get),
    Route("PATCH", "/drive/v3/files/{fileId}/permissions/{permissionId}",
          "drive.permissions.update", drive.permissions_update),
    Route("DELETE", "/drive/v3/files/{fileId}/permissions/{permissionId}",
          "drive.permissions.delete", drive.permissions_delete),
    Route(ANY, "/upload/drive/{path}", "emulator.drive.unsupported", drive.unsupported),
    # OAuth 2.0 and OpenID Connect -----------------------------------------------------------------
    Route("POST", "/token", "oauth2.token", oauth.token),
    Route("GET", "/oauth2/v1/certs", "oauth2.certs", oauth.certs),
    Route("GET", "/oauth2/v3/userinfo", "oauth2.userinfo.get", oauth.user_info),
    Route("POST", "/oauth2/v3/userinfo", "oauth2.userinfo.post", oauth.user_info),
    Route("GET", "/tokeninfo", "oauth2.tokeninfo", oauth.token_info),
    Route("POST", "/tokeninfo", "oauth2.tokeninfo.post", oauth.token_info),
    Route("GET", "/oauth2/v3/tokeninfo", "oauth2.v3.tokeninfo", oauth.token_info),
    Route("POST", "/oauth2/v3/tokeninfo", "oauth2.v3.tokeninfo.post", oauth.token_info),
    # Test controls (no token: loopback Host and JSON only, see controls/guard.py) -----------------
    Route("GET", "/healthz", "emulator.healthz", controls.healthz),
    Route("GET", "/_emulator/requests", "emulator.requests.list", controls.requests_log),
    Route("DELETE", "/_emulator/requests", "emulator.requests.clear", controls.clear_requests),
    Route("POST", "/_emulator/reset", "emulator.reset", controls.reset),
    Route("POST", "/_emulator/tokens", "emulator.tokens.add", controls.add_token),
    Route("DELETE", "/_emulator/tokens", "emulator.tokens.remove", controls.remove_token),
    Route("POST", "/_emulator/service-accounts",
          "emulator.serviceAccounts.add", controls.service_accounts),
    Route("GET", "/_emulator/faults", "emulator.faults.get", controls.faults),
    Route("POST", "/_emulator/faults", "emulator.faults.set", controls.set_faults),
    Route("POST", "/_emulator/id-token", "emulator.idToken.mint", controls.id_token),
    Route("POST", "/_emulator/spreadsheets", "emulator.spreadsheets.seed", controls.seed),
    Route("GET", "/_emulator/spreadsheets/{spreadsheetId}",
          "emulator.spreadsheets.dump", controls.dump),
    Route("POST", "/_emulator/spreadsheets/{spreadsheetId}/share",
          "emulator.spreadsheets.share", controls.share),
)  # fmt: skip

TABLE = RouteTable(ROUTES)
