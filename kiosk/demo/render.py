"""Renders every screen in a representative state to PNG, for people to look at.

Scenes drive the real controller with the demo platform, in the real window (under Xvfb in CI),
with work done inline so each scene is deterministic. The app is built by a factory the caller
passes in (the composition root lives in kiosk/terminal/app.py, not here)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from flows.engine import Option, View
from kiosk.i18n.translator import Msg, Plain


def _start(c: Any) -> None:
    c.catalog = c.s.platform.catalog()
    c.go_start()


def _start_offline(c: Any) -> None:
    c.catalog, c.catalog_error = None, "unreachable"
    c.go_start()


def _set_printer(c: Any, state: str) -> None:
    printer = c.s.hub.sims.get("printer")
    if printer is not None and printer.state != state:
        printer.set_state(state)
        c.s.hub.refresh("printer")
        c.bus.drain()  # the status change reaches the controller now, not at the next frame


def _start_printer_down(c: Any) -> None:
    _set_printer(c, "paper_out")
    _start(c)


def _queue_choice(c: Any) -> None:
    c.start_flow("queue_ticket")


def _queue_ticket(c: Any) -> None:
    c.start_flow("queue_ticket")
    c.runner.send("choose", option=c.runner.flow.types[0].id)


def _show(view: View) -> Callable[[Any], None]:
    return lambda c: c.root.show_view(view)


def _screen(name: str) -> Callable[[Any], None]:
    return lambda c: c.root.show_screen(name)


def _idle(c: Any) -> None:
    _queue_choice(c)
    c.idle.last_touch = c.clock.monotonic() - c.cfg.timeouts.idle_s  # nobody touched it for a minute


def _technician_dashboard(c: Any) -> None:
    # Renders run without pcscd, so the social security card reader shows a fault with its fix.
    c.s.journal.paper_loaded(80000)
    c.show_technician()


def _technician_test(c: Any) -> None:
    from flows.ports import Identity

    c.tech.show_test("idcard")
    c.tech.test_action("run")
    c.tech.on_card("idcard", Identity(source="idcard", name="Tenzin Dorje", id_number="513335199203150012",
                                      card_type="resident"))


def _technician_events(c: Any) -> None:
    c.s.journal.incident("technician_entry", "pin: ok")
    c.s.journal.incident("device", "printer: fault paper_out")
    c.tech.show_events()


def _technician_voice(lang: str | None) -> Callable[[Any], None]:
    """The prompt recording page: the language list, or a prompt of `lang` with a take to keep."""

    def scene(c: Any) -> None:
        desk = c.tech.voice
        desk.open()
        if lang is not None:
            desk.walk.choose(lang)
            desk.walk.start()
            desk.walk.stop()  # the demo's stand-in voice: a take trimmed, normalised, not kept
        desk.show()

    return scene


def _technician(c: Any) -> None:
    c.root.show_screen("technician_entry")
    c.root.screens["technician_entry"].pin = "12"


def _scan(c: Any) -> None:
    camera = c.s.hub.sims.get("scanner")
    if camera is not None:
        camera.show_code("SC2026112200123")
        c.root.screens["scan"].set_preview(camera.read()[1])
    c.root.show_view(View("scan", Msg("identify.scan.title"), Msg("identify.scan.body"),
                          options=(Option("keypad", Msg("identify.scan.type_instead")),)))


def _flow_at(flow_id: str, kinds: tuple[str, ...], skip: int = 0) -> Callable[[Any], None]:
    """Run a flow as the demo citizen would (kiosk.demo.headless.Driver) until a view of `kinds`
    (after `skip` of them), so every flow's real screens can be looked at."""

    def scene(c: Any) -> None:
        from kiosk.demo.headless import DemoInputs, Driver
        from flows.ports import Identity
        from kiosk.demo.rig import receipt_code, synthetic_jpeg

        seed = c.s.demo_server.seed
        demo = seed.get("demo", {})
        citizen = next(x for x in seed["citizens"] if x["id_number"] == demo.get("citizen"))
        name = citizen["name"]["zh_CN"] if isinstance(citizen["name"], dict) else citizen["name"]
        inputs = DemoInputs(identity=lambda: Identity("idcard", name, citizen["id_number"], "resident"),
                            identity_token=citizen.get("identity_token", ""), jpeg=synthetic_jpeg(),
                            receipt_code=receipt_code(c.s.demo_server.url, demo.get("application", "")),
                            application_number=demo.get("application", ""))
        c.start_flow(flow_id)
        driver = Driver(c.runner, inputs)
        seen = 0
        for _ in range(40):
            view = c.runner.view if c.runner is not None else None
            if view is None or c.runner.ended:
                return
            if view.kind in kinds:
                if seen == skip:
                    return
                seen += 1
            driver.act()

    return scene


SCENES: dict[str, Callable[[Any], None]] = {
    "start": _start,
    "start_offline": _start_offline,
    "start_printer_down": _start_printer_down,
    "language": _screen("language"),
    "help": lambda c: c.intent("help"),
    "instruction": _show(View("instruction", Msg("identify.idcard.title"), Msg("identify.idcard.body"))),
    "choice": _queue_choice,
    "waiting": _show(View("waiting", Msg("queue.issuing.title"), Msg("common.please_wait"))),
    "result": _show(View("result", Msg("queue.ticket.title"), Msg("queue.ticket.printed"),
                         options=(Option("done", Msg("action.done")),),
                         data={"rows": ((Msg("queue.receipt.counters"), Plain("1-4")),
                                        (Msg("queue.receipt.waiting", waiting=3), Plain("A023")))})),
    "error": _show(View("error", Msg("error.platform_down.title"), Msg("error.platform_down.body", hours="09:00-17:30"),
                        options=(Option("retry", Msg("action.retry")), Option("home", Msg("action.back_to_start"))))),
    "ticket": _queue_ticket,
    "done": _screen("done"),
    "idle_warning": _idle,
    "technician_entry": _technician,
    "technician": _technician_dashboard,
    "technician_test": _technician_test,
    "technician_events": _technician_events,
    "technician_voice": _technician_voice(None),
    "technician_voice_bo": _technician_voice("bo"),
    "technician_voice_ii": _technician_voice("ii"),
    "flow_social_insurance_identify": _flow_at("social_insurance_certificate", ("identify",)),
    "flow_social_insurance_face": _flow_at("social_insurance_certificate", ("face",)),
    "flow_social_insurance_preview": _flow_at("social_insurance_certificate", ("result",)),
    "flow_real_estate_list": _flow_at("real_estate_query", ("result", "choice"), skip=0),
    "flow_application_progress": _flow_at("application_progress", ("result",)),
    "flow_service_guide": _flow_at("service_guide", ("result",)),
    "flow_elicense_list": _flow_at("elicense_print", ("choice",)),
    "flow_evaluation": _flow_at("evaluation", ("evaluation",)),
    "keypad": _show(View("keypad", Msg("identify.keypad.title"), Msg("identify.keypad.body"),
                         data={"letters": "SC", "max_len": 20, "text": "SC20261122"})),
    "scan": _scan,
    "evaluation": _show(View("evaluation", Msg("eval.reasons.title"), None,
                             options=(Option("fast", Msg("eval.reason.fast")), Option("clear", Msg("eval.reason.clear")),
                                      Option("submit", Msg("action.done"))),
                             data={"multi": True, "selected": ("clear",)})),
}


def _keyboard(mode: str, keys: str | list[str], strokes: int = 0) -> Callable[[Any], None]:
    """The on-screen keyboard (screens/keyboard.py) in one mode, some keys typed, candidates up."""

    def scene(c: Any) -> None:
        from kiosk.ime.tibetan import keys_for

        seed = c.s.demo_server.seed
        words = [i["title"].get(lang, "") for d in seed["departments"] for i in d["items"] for lang in ("bo", "ii")]
        if mode == "tibetan":  # typed by its keys, stacks included
            word = "\u0f0b".join(seed["departments"][0]["title"]["bo"].split("\u0f0b")[:2])
            typed = list(keys_for(word))
        else:
            typed = list(keys)
        c.root.show_view(View("text", Msg("guide.browse.title"), None,
                              data={"mode": mode, "keys": typed, "words": words}))
        if strokes:
            import json

            kb = c.root.screens["keyboard"].ids.keyboard
            from kiosk.ime.handwriting import SAMPLE_YI

            for stroke in json.loads(SAMPLE_YI.read_text())[:strokes]:
                kb.ids.pad.add_stroke(stroke)

    return scene


SCENES.update({
    "keyboard_digits": _keyboard("digits", "2026"),
    "keyboard_latin": _keyboard("latin", "sc2026"),
    "keyboard_pinyin": _keyboard("pinyin", "shebao"),
    "keyboard_handwriting": _keyboard("handwriting", "", strokes=7),
    "keyboard_tibetan": _keyboard("tibetan", ""),  # the first department's first two syllables
    "keyboard_yi": _keyboard("yi", "shep"),
    "keyboard_guide_search": _flow_at("service_guide", ("search",), skip=1),  # results of a search
})


def _every_registered_screen() -> None:
    """A screen registered without a scene of its own is still listed and rendered, as itself
    (screens/registry.py is the one list of screens)."""
    from screens.registry import SCREENS

    for name in SCREENS:
        if not any(scene == name or scene.startswith(name + "_") for scene in SCENES):
            SCENES[name] = _screen(name)


_every_registered_screen()


def show_scene(c: Any, name: str, lang: str, large: bool, frames: int = 4) -> None:
    """Put the controller `c` in scene `name`, from a clean state, and draw it."""
    from kivy.base import EventLoop

    if c.runner is not None:
        c.runner.on_end = lambda outcome: None
        c.runner.finish("cancelled")
        c.runner = None
    c.root.hide_idle()
    c.idle.touch()
    c.ui.lang, c.session.language, c.ui.large = lang, lang, large
    _set_printer(c, "ok")  # a scene that ran the printer out does not leak into the next
    SCENES[name](c)
    c.tick()
    for _ in range(frames):
        EventLoop.idle()


def render(make_app: Callable[..., Any], cfg: Any, names: list[str], locales: list[str], out: Path,
           large: bool = False, frames: int = 4) -> list[Path]:
    from kivy.base import runTouchApp

    app = make_app(cfg, inline=True, ticking=False)
    app._run_prepare()
    runTouchApp(embedded=True)
    c = app.controller
    written: list[Path] = []
    try:
        for name in names:
            for loc in locales:
                show_scene(c, name, loc, large, frames)
                path = out / (f"{name}.{loc}.large.png" if large else f"{name}.{loc}.png")
                c.root.export_to_png(str(path))
                written.append(path)
    finally:
        app.stop()
    return written
