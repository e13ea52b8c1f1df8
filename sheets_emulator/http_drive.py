"""The Drive v3 endpoints under ``/drive/v3/files`` (errors in Drive's format)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sheets_emulator import drive
from sheets_emulator.errors import NotFound
from sheets_emulator.http_common import caller, locked, off_loop, query, read_json, state_of
from sheets_emulator.state import EmulatorState


async def files(request: Request) -> Response:
    email = caller(request)
    params = query(request)
    if request.method == "POST":
        body = await read_json(request)
        return await locked(request, lambda state: drive.create(state, email, body, params))
    return await locked(request, lambda state: drive.list_files(state, email, params))


async def file(request: Request) -> Response:
    email = caller(request)
    file_id = request.path_params["file_id"]
    params = query(request)
    if request.method == "DELETE":
        return await locked(request, lambda state: drive.delete(state, email, file_id))
    if request.method == "PATCH":
        body = await read_json(request)
        return await locked(
            request, lambda state: drive.update(state, email, file_id, body, params)
        )
    return await locked(request, lambda state: drive.get(state, email, file_id, params))


async def copy(request: Request) -> Response:
    email = caller(request)
    body = await read_json(request)
    params = query(request)
    file_id = request.path_params["file_id"]
    return await locked(request, lambda state: drive.copy_file(state, email, file_id, body, params))


async def export(request: Request) -> Response:
    email = caller(request)
    file_id = request.path_params["file_id"]
    mime = request.query_params.get("mimeType")
    state = state_of(request)

    def work() -> tuple[str, str]:
        with state.lock:
            return drive.export(state, email, file_id, mime)

    content, media_type = await off_loop(work)
    return Response(content.encode(), media_type=media_type)


async def comments(request: Request) -> Response:
    email = caller(request)
    file_id = request.path_params["file_id"]

    def work(state: EmulatorState) -> dict[str, Any]:
        drive.visible(state, file_id, email)
        return {"comments": []}

    return await locked(request, work)


async def permissions(request: Request) -> Response:
    email = caller(request)
    file_id = request.path_params["file_id"]
    params = query(request)
    if request.method == "POST":
        body = await read_json(request)
        return await locked(
            request, lambda state: drive.create_permission(state, email, file_id, body, params)
        )
    return await locked(
        request, lambda state: drive.list_permissions(state, email, file_id, params)
    )


async def permission(request: Request) -> Response:
    email = caller(request)
    file_id = request.path_params["file_id"]
    permission_id = request.path_params["permission_id"]
    params = query(request)
    if request.method == "DELETE":
        return await locked(
            request, lambda state: drive.delete_permission(state, email, file_id, permission_id)
        )
    if request.method == "PATCH":
        body = await read_json(request)
        return await locked(
            request,
            lambda state: drive.update_permission(
                state, email, file_id, permission_id, body, params
            ),
        )
    return await locked(
        request, lambda state: drive.get_permission(state, email, file_id, permission_id, params)
    )


async def not_supported(request: Request) -> Response:
    caller(request)
    raise NotFound(f"The Sheets API emulator has no {request.method} {request.url.path}")


ROUTES = [
    Route("/drive/v3/files", files, methods=["GET", "POST"]),
    Route("/drive/v3/files/{file_id}", file, methods=["GET", "PATCH", "DELETE"]),
    Route("/drive/v3/files/{file_id}/copy", copy, methods=["POST"]),
    Route("/drive/v3/files/{file_id}/export", export, methods=["GET"]),
    Route("/drive/v3/files/{file_id}/comments", comments, methods=["GET"]),
    Route("/drive/v3/files/{file_id}/permissions", permissions, methods=["GET", "POST"]),
    Route(
        "/drive/v3/files/{file_id}/permissions/{permission_id}",
        permission,
        methods=["GET", "PATCH", "DELETE"],
    ),
    Route("/upload/drive/{rest:path}", not_supported, methods=["GET", "POST", "PUT", "PATCH"]),
]
