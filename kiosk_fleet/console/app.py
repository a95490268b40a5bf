"""The console's web application: Starlette, Jinja2 pages rendered on the server, htmx (shipped in
static/, never from the internet) for live fragments and forms.

Starlette rather than FastAPI: the console serves HTML forms, not a JSON API, so FastAPI's
pydantic models and OpenAPI add dependencies and nothing we use. uvicorn runs it.
"""
from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from kiosk.remote import protocol
from kiosk_fleet.console import alarms, commands, queries, rollouts
from kiosk_fleet.console.auth import Sessions, Who, audit, csrf_ok, role_at_least
from kiosk_fleet.console.db import Alarm, Audit, CommandRow, Rollout, Terminal, User, sessions

HERE = Path(__file__).parent
COOKIE = "kiosk_console"
MAX_FANOUT = 2000  # terminals one command to a filter may address
Publish = Callable[[str, dict[str, Any]], None]


@dataclass
class Console:
    engine: Engine
    publish: Publish                      # (terminal, command envelope) -> sent over MQTT
    wall: Callable[[], float] = time.time
    auth: Sessions = field(default_factory=Sessions)
    thresholds: alarms.Thresholds = field(default_factory=alarms.Thresholds)
    secure_cookie: bool = False           # True behind TLS (deployments); tests run on plain loopback
    command_ttl_s: float = 600.0
    gate: Any = None                      # kiosk_fleet.console.gate.Gate: signs admissions (optional)

    def __post_init__(self) -> None:
        self.factory = sessions(self.engine)

    def send(self, db: Session, user: str, terminal: str, cmd: str, args: dict[str, Any]) -> CommandRow:
        """Validate exactly as the terminal will (the same allow-list and checks), record, publish."""
        now = self.wall()
        protocol.check_terminal_id(terminal)
        if db.get(Terminal, terminal) is None:
            # Only to terminals the console has heard of: a typo must not queue a command on the
            # broker for a week under an id some terminal may take later.
            raise ValueError(f"unknown terminal {terminal}")
        envelope = protocol.make_command(cmd, args, self.command_ttl_s, now=now)
        checked = commands.check(envelope, now, self.command_ttl_s)  # raises Refused / Invalid
        row = CommandRow(id=checked.id, terminal_id=terminal, cmd=cmd, args=checked.args, issued_at=now,
                         expires_at=checked.expires_at, issued_by=user, status="sent")
        db.add(row)
        audit(db, now, user, "command", terminal, {"id": checked.id, "cmd": cmd, "args": checked.args})
        db.flush()
        self.publish(terminal, envelope)
        return row

    def send_filtered(self, db: Session, user: str, f: queries.Filters, cmd: str, args: dict[str, Any]) -> list[CommandRow]:
        """One command to every terminal the filter selects (each validated, recorded and acked
        on its own); refused above MAX_FANOUT terminals so a slip cannot address a province."""
        ids = queries.matching_ids(db, f, MAX_FANOUT + 1)
        if not ids:
            raise ValueError("no terminal matches the filter")
        if len(ids) > MAX_FANOUT:
            raise ValueError(f"more than {MAX_FANOUT} terminals match; narrow the filter")
        audit(db, self.wall(), user, "command_filter", cmd,
              {"filter": {k: v for k, v in vars(f).items() if v}, "terminals": len(ids)})
        return [self.send(db, user, tid, cmd, args) for tid in ids]

    def tick(self) -> None:
        """Alarms and rollouts; called after each ingest batch and every few seconds."""
        with self.factory.begin() as db:
            now = self.wall()
            rollouts.tick(db, now, lambda t, c, a: self.send(db, "rollout", t, c, a).id)
            alarms.evaluate(db, now, self.thresholds)
            if self.gate is not None:
                self.gate.maybe_publish(db, now)


Handler = Callable[[Request, Session, Who], Awaitable[Response]]


def build_app(console: Console) -> Starlette:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["fmt_time"] = queries.fmt_time
    templates.env.globals["command_outcome"] = queries.command_outcome
    templates.env.globals["COMMANDS"] = commands.schema()
    templates.env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=1, ensure_ascii=False, sort_keys=True)

    def render(request: Request, name: str, who: Who | None, status: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.update(who=who, now=console.wall())
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    def guarded(role: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            with console.factory.begin() as db:
                who = console.auth.check(db, request.cookies.get(COOKIE), console.wall())
                if who is None:
                    if request.method == "GET" and "HX-Request" not in request.headers:
                        return RedirectResponse("/login", status_code=303)
                    return PlainTextResponse("log in first", status_code=401)
                if not role_at_least(who.role, role):
                    return PlainTextResponse(f"needs the {role} role", status_code=403)
                if request.method == "POST":
                    form = await request.form()
                    if not csrf_ok(who, request.headers.get("X-CSRF-Token") or form.get("csrf")):  # type: ignore[arg-type]
                        return PlainTextResponse("bad or missing CSRF token", status_code=403)
                    request.state.form = form
                return await handler(request, db, who)
        return endpoint

    async def login_page(request: Request) -> Response:
        return render(request, "login.html", None)

    async def login(request: Request) -> Response:
        form = await request.form()
        with console.factory.begin() as db:
            token = console.auth.login(db, str(form.get("user", "")), str(form.get("password", "")), console.wall())
        if token is None:
            return render(request, "login.html", None, status=401, error="wrong user name or password")
        resp = RedirectResponse("/", status_code=303)
        # SameSite=Strict: another site's form cannot carry the cookie (CSRF tokens are the second line).
        resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=console.secure_cookie,
                        max_age=int(console.auth.absolute_s))
        return resp

    async def logout(request: Request, db: Session, who: Who) -> Response:
        console.auth.logout(db, request.cookies.get(COOKIE))
        audit(db, console.wall(), who.user, "logout")
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE)
        return resp

    async def overview(request: Request, db: Session, who: Who) -> Response:
        f = queries.Filters.of(request.query_params)
        name = "_overview.html" if "HX-Request" in request.headers else "overview.html"
        return render(request, name, who, f=f, **queries.overview(db, f, console.wall()))

    async def terminal(request: Request, db: Session, who: Who) -> Response:
        data = queries.terminal(db, request.path_params["tid"])
        if data is None:
            return PlainTextResponse("no such terminal", status_code=404)
        name = "_terminal.html" if "HX-Request" in request.headers else "terminal.html"
        return render(request, name, who, **data)

    async def command(request: Request, db: Session, who: Who) -> Response:
        form, tid = request.state.form, request.path_params["tid"]
        cmd = str(form.get("cmd", ""))
        try:
            row = console.send(db, who.user, tid, cmd, commands.parse_form(cmd, form))
        except (protocol.Refused, protocol.Invalid, ValueError) as e:
            msg = getattr(e, "reason", str(e))
            return render(request, "_flash.html", who, status=400, error=f"not sent: {msg}")
        return render(request, "_flash.html", who, message=f"{cmd} sent (id {row.id[:8]}); the ack shows below")

    async def command_filter(request: Request, db: Session, who: Who) -> Response:
        form = request.state.form
        cmd = str(form.get("cmd", ""))
        try:
            rows = console.send_filtered(db, who.user, queries.Filters.of(form), cmd, commands.parse_form(cmd, form))
        except (protocol.Refused, protocol.Invalid, ValueError) as e:
            msg = getattr(e, "reason", str(e))
            return render(request, "_flash.html", who, status=400, error=f"not sent: {msg}")
        return render(request, "_flash.html", who, message=f"{cmd} sent to {len(rows)} terminals; acks show on each terminal's page")

    async def alarm_list(request: Request, db: Session, who: Who) -> Response:
        show_all = request.query_params.get("all") == "1"
        q = select(Alarm).order_by(Alarm.raised_at.desc()).limit(500)
        if not show_all:
            q = q.where(Alarm.cleared_at.is_(None))
        return render(request, "alarms.html", who, alarms=list(db.scalars(q)), show_all=show_all)

    async def alarm_ack(request: Request, db: Session, who: Who) -> Response:
        now = console.wall()
        alarm = alarms.acknowledge(db, int(request.path_params["aid"]), who.user,
                                   str(request.state.form.get("note", "")), now)
        if alarm is None:
            return PlainTextResponse("no such alarm", status_code=404)
        audit(db, now, who.user, "alarm_ack", str(alarm.id), {"kind": alarm.kind, "note": alarm.note})
        return RedirectResponse("/alarms", status_code=303)

    async def rollout_list(request: Request, db: Session, who: Who) -> Response:
        items = list(db.scalars(select(Rollout).order_by(Rollout.id.desc()).limit(100)))
        groups = {r.id: queries.rollout_groups(db, r) for r in items}
        return render(request, "rollouts.html", who, rollouts=items, groups=groups)

    async def rollout_new(request: Request, db: Session, who: Who) -> Response:
        form, now = request.state.form, console.wall()
        try:
            specs = rollouts.GroupSpec.parse(str(form.get("groups", "")))
            r = rollouts.create(db, str(form.get("version", "")).strip(), specs, user=who.user, now=now,
                                success_pct=float(form.get("success_pct") or 90),
                                error_pct=float(form.get("error_pct") or 10),
                                error_count=int(form.get("error_count") or 3),
                                prefix=str(form.get("prefix", "")).strip())
        except ValueError as e:
            return PlainTextResponse(f"rollout not created: {e}", status_code=400)
        audit(db, now, who.user, "rollout_create", str(r.id), {"version": r.version, "groups": str(form.get("groups"))})
        return RedirectResponse("/rollouts", status_code=303)

    async def rollout_control(request: Request, db: Session, who: Who) -> Response:
        action = request.path_params["action"]
        if action == "abort" and not role_at_least(who.role, "admin"):
            return PlainTextResponse("needs the admin role", status_code=403)
        try:
            r = rollouts.control(db, int(request.path_params["rid"]), action)
        except (LookupError, ValueError) as e:
            return PlainTextResponse(str(e), status_code=409)
        audit(db, console.wall(), who.user, f"rollout_{action}", str(r.id))
        return RedirectResponse("/rollouts", status_code=303)

    async def audit_page(request: Request, db: Session, who: Who) -> Response:
        rows = list(db.scalars(select(Audit).order_by(Audit.id.desc()).limit(300)))
        return render(request, "audit.html", who, rows=rows)

    async def users_page(request: Request, db: Session, who: Who) -> Response:
        return render(request, "users.html", who, users=list(db.scalars(select(User).order_by(User.name))))

    async def user_add(request: Request, db: Session, who: Who) -> Response:
        from kiosk_fleet.console.auth import add_user

        form = request.state.form
        try:
            user = add_user(db, str(form.get("name", "")), str(form.get("password", "")), str(form.get("role", "")),
                            console.wall())
        except ValueError as e:
            return PlainTextResponse(str(e), status_code=400)
        audit(db, console.wall(), who.user, "user_set", user.name, {"role": user.role})
        return RedirectResponse("/users", status_code=303)

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    routes = [
        Route("/login", login_page), Route("/login", login, methods=["POST"]),
        Route("/logout", guarded("viewer", logout), methods=["POST"]),
        Route("/", guarded("viewer", overview)),
        Route("/terminals/{tid}", guarded("viewer", terminal)),
        Route("/terminals/{tid}/commands", guarded("operator", command), methods=["POST"]),
        Route("/commands", guarded("operator", command_filter), methods=["POST"]),
        Route("/alarms", guarded("viewer", alarm_list)),
        Route("/alarms/{aid:int}/ack", guarded("operator", alarm_ack), methods=["POST"]),
        Route("/rollouts", guarded("viewer", rollout_list)),
        Route("/rollouts", guarded("admin", rollout_new), methods=["POST"]),
        Route("/rollouts/{rid:int}/{action}", guarded("operator", rollout_control), methods=["POST"]),
        Route("/audit", guarded("operator", audit_page)),
        Route("/users", guarded("admin", users_page)),
        Route("/users", guarded("admin", user_add), methods=["POST"]),
        Route("/healthz", healthz),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    return Starlette(routes=routes)
