"""The help desk's web application: Starlette under uvicorn. Pages: log-in and the console (the
queue, the call with the replica of the kiosk's screen); WebSockets: /ws/kiosk for terminals,
/ws/staff for consoles. The console's script and styles are served from static/ (no CDN)."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.websockets import WebSocket, WebSocketDisconnect

from kiosk.helpdesk.hub import Hub
from kiosk.helpdesk.staff import Directory, csrf_ok

HERE = Path(__file__).parent
COOKIE = "kiosk_helpdesk"
MAX_MSG = 96 * 1024
log = logging.getLogger(__name__)


async def _messages(ws: WebSocket):  # noqa: ANN202 - an async iterator of dicts
    while True:
        text = await ws.receive_text()
        if len(text) > MAX_MSG:
            continue
        try:
            msg = json.loads(text)
        except ValueError:
            continue
        if isinstance(msg, dict):
            yield msg


def build_app(hub: Hub, staff: Directory, *, kiosk_token: str | None = None, secure_cookie: bool = False,
              tick_s: float = 5.0, ice_servers: list[dict[str, Any]] | None = None) -> Starlette:
    """`kiosk_token`: when set, a kiosk must present it to join (a deployment sets one per site).
    `ice_servers`: STUN/TURN for the console's browser (RTCIceServer dicts; deploy/README.md)."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> Response:
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    async def login_page(request: Request) -> Response:
        return page(request, "login.html")

    async def login(request: Request) -> Response:
        form = await request.form()
        token = staff.login(str(form.get("user", "")), str(form.get("password", "")))
        if token is None:
            return page(request, "login.html", 401, error="wrong user name or password")
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure_cookie,
                        max_age=int(staff.absolute_s))
        return resp

    async def logout(request: Request) -> Response:
        who = staff.check(request.cookies.get(COOKIE))
        form = await request.form()
        if who is None or not csrf_ok(who[1], form.get("csrf")):  # type: ignore[arg-type]
            return PlainTextResponse("bad or missing CSRF token", status_code=403)
        staff.logout(request.cookies.get(COOKIE))
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE)
        return resp

    async def console(request: Request) -> Response:
        who = staff.check(request.cookies.get(COOKIE))
        if who is None:
            return RedirectResponse("/login", status_code=303)
        return page(request, "console.html", who=who[0], csrf=who[1], ice_servers=ice_servers or [])

    async def kiosk_ws(ws: WebSocket) -> None:
        await ws.accept()
        call_id = None
        try:
            async for msg in _messages(ws):
                if call_id is None:
                    if msg.get("t") != "join" or (kiosk_token and msg.get("token") != kiosk_token):
                        await ws.close(code=4401)
                        return
                    call_id = (await hub.kiosk_join(ws, msg)).id
                else:
                    await hub.kiosk_message(call_id, msg)
        except WebSocketDisconnect:
            pass
        finally:
            if call_id is not None:
                await hub.kiosk_gone(call_id)

    async def staff_ws(ws: WebSocket) -> None:
        who = staff.check(ws.cookies.get(COOKIE))
        origin, host = ws.headers.get("origin", ""), ws.headers.get("host", "")
        # Browsers send cookies on cross-site WebSocket handshakes: the Origin check is the CSRF guard here.
        if who is None or origin.split("://", 1)[-1] != host:
            await ws.close(code=4403)
            return
        await ws.accept()
        await ws.send_json({"t": "hello", "user": who[0].user, "role": who[0].role,
                            "languages": list(who[0].languages)})
        await hub.staff_join(ws, who[0])
        try:
            async for msg in _messages(ws):
                if staff.check(ws.cookies.get(COOKIE)) is None:
                    await ws.close(code=4401)  # the session expired or was logged out
                    break
                await hub.staff_message(ws, msg)
        except WebSocketDisconnect:
            pass
        finally:
            await hub.staff_gone(ws)

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    import asyncio
    import contextlib

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette):  # noqa: ANN202
        task = asyncio.create_task(hub.tick_forever(tick_s))
        try:
            yield
        finally:
            task.cancel()

    routes = [
        Route("/login", login_page), Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", console), Route("/healthz", healthz),
        WebSocketRoute("/ws/kiosk", kiosk_ws), WebSocketRoute("/ws/staff", staff_ws),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
