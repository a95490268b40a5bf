"""What the demo's simulator panel does to the simulators. Kept out of app.py so the wiring of
the real terminal stays readable; only the demo profile has simulators to act on."""
from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

IDCARDS = Path(__file__).resolve().parents[2] / "devices" / "idcard" / "cards"
# The demo's ID cards: the one list. The panel offers these, the headless run (kiosk/demo/rig.py)
# reads the seed's demo citizen from them, and each holder is a citizen of the demo platform's
# seed (kiosk/demo_platform/seed.json; tests/flows/test_demo_cards.py keeps it so).
DEMO_CARDS = {"idcard.han": "resident_han.json", "idcard.tibetan": "resident_tibetan_garze.json",
              "idcard.yi": "resident_yi_liangshan.json"}
DEMO_CODE = "SC2026112200123"  # an application receipt number in the seed


def panel_card(action: str) -> dict[str, Any]:
    """The ID card the panel's button `action` puts on the reader (simulator card description)."""
    return json.loads((IDCARDS / DEMO_CARDS[action]).read_text(encoding="utf-8"))


def card_for(id_number: str) -> dict[str, Any] | None:
    """The panel's card of this citizen, if the panel has one."""
    return next((c for c in map(panel_card, DEMO_CARDS) if c["id_number"] == id_number), None)


def synthetic_face_jpeg() -> bytes:
    """The camera is simulated; the platform's verification gets a small, plain JPEG."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (120, 150), 128).save(buf, format="JPEG")
    return buf.getvalue()


class SimHeadphoneJack:
    """The demo's headphone socket (kiosk.i18n.voice.HeadphoneJack): a real terminal asks its audio
    device; the panel's headphones.in/out plug it here, so private listening can be tried."""

    def __init__(self) -> None:
        self.plugged_in = False

    def plugged(self) -> bool:
        return self.plugged_in


def act(controller: Any, action: str) -> None:
    hub = controller.s.hub
    sims = hub.sims
    family, _, what = action.partition(".")
    say(controller, None)  # a new action: the last one's complaint is gone
    if action in DEMO_CARDS and "idcard" in sims:
        sims["idcard"].present(panel_card(action))
    elif action == "idcard.remove" and "idcard" in sims:
        sims["idcard"].remove()
    elif action == "idcard.unplug" and "idcard" in sims:
        sims["idcard"].unplug()
    elif action == "idcard.replug" and "idcard" in sims:
        sims["idcard"].replug()
    elif family == "sscard":
        # vpcd connects slowly: in the pool; what it could not do is said on the panel
        controller.submit(lambda: _sscard(hub, what), lambda result: _sscard_done(controller, result))
    elif action == "code.show" and "scanner" in sims:
        sims["scanner"].show_code(DEMO_CODE)
    elif action == "code.clear" and "scanner" in sims:
        sims["scanner"].show(None)
    elif action == "face.show":
        if controller._listening("face"):
            controller.runner.send("face_check", check="ok")
            controller.runner.send("face_captured", jpeg=synthetic_face_jpeg())
    elif family == "printer" and "printer" in sims:
        sims["printer"].set_state(what)
        controller.submit(lambda: hub.refresh("printer"), lambda result: None)
    elif family == "headphones" and getattr(controller, "voice", None) is not None:
        if not isinstance(controller.voice.jack, SimHeadphoneJack):
            controller.voice.jack = SimHeadphoneJack()
        controller.voice.jack.plugged_in = what == "in"
    elif family == "platform" and controller.s.demo_server is not None:
        controller.s.demo_server.set_fault("down" if what == "stop" else "none")
    else:
        log.info("simulator action %s: nothing to act on", action)


def say(controller: Any, message: Any) -> None:
    """A message on the simulator panel (a Msg, or None to clear it)."""
    panel = getattr(getattr(controller, "root", None), "sim_panel", None)  # headless: no window, no panel
    if panel is not None:
        panel.message = message


def _sscard(hub: Any, what: str) -> bool:
    """Insert or remove the virtual card; False when no virtual reader took the inserted card."""
    from devices.smartcard.virtual_card import VirtualCard, load_card

    card = hub.sims.get("sscard")
    if card is None:
        card = hub.sims["sscard"] = VirtualCard()
    if what in ("insert", "technician"):
        if not card.insert(load_card("tibetan" if what == "insert" else "technician")):
            log.warning("virtual social security card: vpcd did not take it (no virtual reader: `make run` starts "
                        "pcscd with vpcd in its own network namespace, see devices/smartcard/vpcd.py)")
            return False  # it keeps trying: a reader started later still takes it
    else:
        card.remove()
    return True


def _sscard_done(controller: Any, result: Any) -> None:
    """Issue 15 #2: an inserted card that no reader took was said only in the log."""
    if not result.ok or result.value is False:
        from kiosk.i18n.translator import Msg

        say(controller, Msg("sim.sscard.no_reader"))
