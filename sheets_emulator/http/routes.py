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

_S = "/v4/spreadsheets/{spreadsheetId}"
_F = "/drive/v3/files/{fileId}"

ROUTES: tuple[Route, ...] = (
    # Sheets v4 -------------------------------------------------------------------------------
    Route("POST", "/v4/spreadsheets", "sheets.spreadsheets.create", sheets.create),
    Route("GET", _S, "sheets.spreadsheets.get", sheets.get),
    Route("POST", f"{_S}:batchUpdate", "sheets.spreadsheets.batchUpdate",
          sheets.batch_update_spreadsheet),
    Route("POST", f"{_S}/sheets/{{sheetId}}:copyTo", "sheets.spreadsheets.sheets.copyTo",
          sheets.copy_to),
    Route("GET", f"{_S}/developerMetadata/{{metadataId}}",
          "sheets.spreadsheets.developerMetadata.get", sheets.developer_metadata_get),
    Route("POST", f"{_S}/developerMetadata:search",
          "sheets.spreadsheets.developerMetadata.search", sheets.developer_metadata_search),
    Route("GET", f"{_S}/values/{{range}}", "sheets.spreadsheets.values.get", sheets.values_get),
    Route("PUT", f"{_S}/values/{{range}}", "sheets.spreadsheets.values.update",
          sheets.values_update),
    Route("POST", f"{_S}/values/{{range}}:append", "sheets.spreadsheets.values.append",
          sheets.values_append),
    Route("POST", f"{_S}/values/{{range}}:clear", "sheets.spreadsheets.values.clear",
          sheets.values_clear),
    Route("GET", f"{_S}/values:batchGet", "sheets.spreadsheets.values.batchGet",
          sheets.values_batch_get),
    Route("POST", f"{_S}/values:batchUpdate", "sheets.spreadsheets.values.batchUpdate",
          sheets.values_batch_update),
    Route("POST", f"{_S}/values:batchClear", "sheets.spreadsheets.values.batchClear",
          sheets.values_batch_clear),
    Route(ANY, "/v4/spreadsheets/{path}", "emulator.sheets.unsupported", sheets.unsupported),
    # Drive v3 --------------------------------------------------------------------------------
    Route("POST", "/drive/v3/files", "drive.files.create", drive.files_create),
    Route("GET", "/drive/v3/files", "drive.files.list", drive.files_list),
    Route("GET", _F, "drive.files.get", drive.files_get),
    Route("PATCH", _F, "drive.files.update", drive.files_update),
    Route("DELETE", _F, "drive.files.delete", drive.files_delete),
    Route("POST", f"{_F}/copy", "drive.files.copy", drive.files_copy),
    Route("GET", f"{_F}/export", "drive.files.export", drive.files_export),
    Route("GET", f"{_F}/comments", "drive.comments.list", drive.comments_list),
    Route("POST", f"{_F}/permissions", "drive.permissions.create", drive.permissions_create),
    Route("GET", f"{_F}/permissions", "drive.permissions.list", drive.permissions_list),
    Route("GET", f"{_F}/permissions/{{permissionId}}", "drive.permissions.get",
          drive.permissions_get),
    Route("PATCH", f"{_F}/permissions/{{permissionId}}", "drive.permissions.update",
          drive.permissions_update),
    Route("DELETE", f"{_F}/permissions/{{permissionId}}", "drive.permissions.delete",
          drive.permissions_delete),
    Route(ANY, "/upload/drive/{path}", "emulator.drive.unsupported", drive.unsupported),
    # OAuth 2.0 and OpenID Connect ------------------------------------------------------------
    Route("POST", "/token", "oauth2.token", oauth.token),
    Route("GET", "/oauth2/v1/certs", "oauth2.certs", oauth.certs),
    Route("GET", "/oauth2/v3/userinfo", "oauth2.userinfo.get", oauth.user_info),
    Route("POST", "/oauth2/v3/userinfo", "oauth2.userinfo.post", oauth.user_info),
    Route("GET", "/tokeninfo", "oauth2.tokeninfo", oauth.token_info),
    Route("POST", "/tokeninfo", "oauth2.tokeninfo.post", oauth.token_info),
    Route("GET", "/oauth2/v3/tokeninfo", "oauth2.v3.tokeninfo", oauth.token_info),
    Route("POST", "/oauth2/v3/tokeninfo", "oauth2.v3.tokeninfo.post", oauth.token_info),
    # Test controls (no token: loopback only, see sheets_emulator.controls.guard) -------------
    Route("GET", "/healthz", "emulator.healthz", controls.healthz),
    Route("GET", "/_emulator/requests", "emulator.requests.list", controls.requests_log),
    Route("DELETE", "/_emulator/requests", "emulator.requests.clear", controls.clear_requests),
    Route("POST", "/_emulator/reset", "emulator.reset", controls.reset),
    Route("POST", "/_emulator/tokens", "emulator.tokens.add", controls.add_token),
    Route("DELETE", "/_emulator/tokens", "emulator.tokens.remove", controls.remove_token),
    Route("POST", "/_emulator/service-accounts", "emulator.serviceAccounts.add",
          controls.service_accounts),
    Route("GET", "/_emulator/faults", "emulator.faults.get", controls.faults),
    Route("POST", "/_emulator/faults", "emulator.faults.set", controls.set_faults),
    Route("POST", "/_emulator/id-token", "emulator.idToken.mint", controls.id_token),
    Route("POST", "/_emulator/spreadsheets", "emulator.spreadsheets.seed", controls.seed),
    Route("GET", "/_emulator/spreadsheets/{spreadsheetId}", "emulator.spreadsheets.dump",
          controls.dump),
    Route("POST", "/_emulator/spreadsheets/{spreadsheetId}/share",
          "emulator.spreadsheets.share", controls.share),
)  # fmt: skip

TABLE = RouteTable(ROUTES)
