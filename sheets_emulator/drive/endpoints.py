"""The Drive v3 endpoints under ``/drive/v3/files`` (errors in Drive's format): one handler
per API method, routed by :mod:`sheets_emulator.http.routes`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sheets_emulator.drive import files, permissions
from sheets_emulator.errors import NotFound
from sheets_emulator.http.common import caller, locked, off_loop, query, read_json, state_of
from sheets_emulator.state import EmulatorState


def _file_id(request: Request) -> str:
    return str(request.path_params["fileId"])


async def files_create(request: Request) -> Response:
    email = caller(request)
    params = query(request)
    body = await read_json(request)
    return await locked(request, lambda state: files.create(state, email, body, params))


async def files_list(request: Request) -> Response:
    email = caller(request)
    params = query(request)
    return await locked(request, lambda state: files.list_files(state, email, params))


async def files_get(request: Request) -> Response:
    email, file_id, params = caller(request), _file_id(request), query(request)
    return await locked(request, lambda state: files.get(state, email, file_id, params))


async def files_update(request: Request) -> Response:
    email, file_id, params = caller(request), _file_id(request), query(request)
    body = await read_json(request)
    return await locked(request, lambda state: files.update(state, email, file_id, body, params))


async def files_delete(request: Request) -> Response:
    email, file_id = caller(request), _file_id(request)
    return await locked(request, lambda state: files.delete(state, email, file_id))


async def files_copy(request: Request) -> Response:
    email, file_id, params = caller(request), _file_id(request), query(request)
    body = await read_json(request)
    return await locked(request, lambda state: files.copy_file(state, email, file_id, body, params))


async def files_export(request: Request) -> Response:
    email, file_id = caller(request), _file_id(request)
    mime = request.query_params.get("mimeType")
    state = state_of(request)

    def work() -> tuple[str, str]:
        with state.lock:
            return files.export(state, email, file_id, mime)

    content, media_type = await off_loop(work)
    return Response(content.encode(), media_type=media_type)


async def comments_list(request: Request) -> Response:
    email, file_id = caller(request), _file_id(request)

    def work(state: EmulatorState) -> dict[str, Any]:
        files.visible(state, file_id, email)
        return {"comments": []}

    return await locked(request, work)


async def permissions_create(request: Request) -> Response:
    email, file_id, params = caller(request), _file_id(request), query(request)
    body = await read_json(request)
    return await locked(
        request,
        lambda state: permissions.create_permission(state, email, file_id, body, params),
    )


async def permissions_list(request: Request) -> Response:
    email, file_id, params = caller(request), _file_id(request), query(request)
    return await locked(
        request, lambda state: permissions.list_permissions(state, email, file_id, params)
    )


async def permissions_get(request: Request) -> Response:
    email, file_id, params = caller(request), _file_id(request), query(request)
    permission_id = str(request.path_params["permissionId"])
    return await locked(
        request,
        lambda state: permissions.get_permission(state, email, file_id, permission_id, params),
    )


async def permissions_update(request: Request) -> Response:
    email, file_id, params = caller(request), _file_id(request), query(request)
    permission_id = str(request.path_params["permissionId"])
    body = await read_json(request)
    return await locked(
        request,
        lambda state: permissions.update_permission(
            state, email, file_id, permission_id, body, params
        ),
    )


async def permissions_delete(request: Request) -> Response:
    email, file_id = caller(request), _file_id(request)
    permission_id = str(request.path_params["permissionId"])
    return await locked(
        request,
        lambda state: permissions.delete_permission(state, email, file_id, permission_id),
    )


async def unsupported(request: Request) -> Response:
    """Uploads (Drive v2/v3 media): authenticated, then the emulator's 404."""
    caller(request)
    raise NotFound(f"The Sheets API emulator has no {request.method} {request.url.path}")
