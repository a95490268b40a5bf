"""The terminal, headless, for running a flow without a screen (`kiosk flow run`, the flow tests):
the services from config (journal, translator, the embedded demo platform), the demo profile's
real print path (ESC/POS over TCP to the printer emulator, which renders each receipt to PNG),
the demo citizen's ID card served by the ID card simulator and read by the real driver over a
pseudo-terminal, and a small synthetic JPEG for the face step (the camera is the one thing that
is not real here).

This module builds that rig; kiosk/demo/headless.py drives a flow on it. The demo citizen's personal
data is read from the demo seed into memory for the card simulator and never logged or written.
"""
from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from devices import registry
from devices.idcard.parse import IdRecord
from devices.idcard.reader import read_once
from devices.idcard.simulator import IdCardSimulator
from devices.printer.driver import EscPosPrinter
from devices.printer.emulator import PrinterEmulator
from kiosk.core.clock import Clock
from kiosk.core.config import Config
from kiosk.i18n.receipt_shaper import SHAPER
from kiosk.runtime.services import Services

log = logging.getLogger(__name__)

CARD_READ_TIMEOUT_S = 5.0


class RigError(Exception):
    """The headless terminal cannot be set up (e.g. not the demo platform): one plain line."""


def headless_config(cfg: Config) -> Config:
    """The config with every device the services would build switched off (the rig brings its
    own), whatever device families are registered: "none", or the default of a family that
    cannot be left out (the printer's is memory://)."""
    off = {f.name: (registry.NONE if f.optional else f.default_url) for f in registry.families()}
    return dataclasses.replace(cfg, devices=dataclasses.replace(cfg.devices, urls=off))


def demo_card(citizen: dict[str, Any]) -> dict[str, Any]:
    """The seed citizen's ID card: the simulator panel's card of that citizen
    (kiosk/demo/sim_rig.py DEMO_CARDS), so the headless run and the panel use the same cards."""
    from kiosk.demo.sim_rig import card_for

    card = card_for(citizen["id_number"])
    if card is None:
        raise RigError("the demo citizen is not a card of the simulator panel (kiosk/demo/sim_rig.py)")
    return card


def synthetic_jpeg(size: int = 48) -> bytes:
    """A small JPEG standing in for the camera's face crop (begins FF D8 like any JPEG)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (size, size), (205, 170, 140)).save(buf, format="JPEG", quality=70)
    return buf.getvalue()


def receipt_code(platform_url: str, number: str) -> str:
    """What the QR code on an application's acceptance receipt carries (the demo platform's page)."""
    return f"{platform_url.rstrip('/')}/a/{number}"


@dataclass
class Rig:
    services: Services
    printer: EscPosPrinter
    emulator: PrinterEmulator
    data_dir: Path
    receipts_dir: Path
    seed: dict[str, Any]
    _cleanup: list[Path] = field(default_factory=list)
    _resources: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)  # the emulator

    @property
    def platform_url(self) -> str:
        return self.services.demo_server.url

    def demo(self) -> dict[str, Any]:
        return self.seed.get("demo", {})

    def demo_citizen(self) -> dict[str, Any]:
        number = self.demo().get("citizen")
        citizen = next((c for c in self.seed.get("citizens", []) if c["id_number"] == number), None)
        if citizen is None:
            raise RigError("the demo seed names no demo citizen")
        return citizen

    def read_card(self, card: dict[str, Any] | None = None) -> IdRecord:
        """Present the card on the simulator and read it with the real driver, as at the terminal."""
        sim = IdCardSimulator(card or demo_card(self.demo_citizen()))
        port = sim.start()
        try:
            return read_once(port, timeout_s=CARD_READ_TIMEOUT_S)
        finally:
            sim.stop()

    def last_receipt(self) -> Path | None:
        done = [r for r in self.emulator.receipts if r.complete and r.path is not None]
        return done[-1].path if done else None

    def close(self) -> None:
        for closer in (self.printer.close, self._resources.close, self.services.close):
            try:
                closer()
            except Exception:  # noqa: BLE001 - closing one part must not leave the others open
                log.debug("closing the rig", exc_info=True)
        _remove(self._cleanup)


def _remove(paths: list[Path]) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def build_rig(cfg: Config, data_dir: Path | None = None, receipts_dir: Path | None = None,
              clock: Clock | None = None, platform_sleep: Callable[[float], None] | None = None) -> Rig:
    """`platform_sleep`: the platform client's wait between retries (None: really sleep). A
    simulation on a fake clock passes one that advances that clock, so a platform that is down
    costs simulated seconds, not real ones."""
    cleanup: list[Path] = []
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="kiosk-flow-"))
        cleanup.append(data_dir)
    if receipts_dir is None:  # temporary like the data dir: removed by close() (pass one to keep receipts)
        receipts_dir = Path(tempfile.mkdtemp(prefix="kiosk-receipts-"))
        cleanup.append(receipts_dir)
    try:
        services = Services.build(headless_config(cfg), clock=clock, data_dir=data_dir, platform_sleep=platform_sleep)
    except BaseException:
        _remove(cleanup)
        raise
    if services.demo_server is None:
        services.close()
        _remove(cleanup)
        raise RigError("flow run needs the embedded demo platform (platform.url = \"embedded://\")")
    # The printer as the demo terminal has it (devices/printer/family.py): the real driver on the
    # emulator, which renders each receipt to PNG in receipts_dir.
    resources, sims = contextlib.ExitStack(), {}
    ctx = registry.BuildContext("printer", resources, sim_dir=Path(receipts_dir), shaper=SHAPER, sims=sims)
    printer = registry.build("printer", registry.SIM, ctx)
    # The emulator prints at once: no need to wait as long as real paper takes to come out.
    printer.status_timeout_s, printer.paper_speed_mm_s = 2.0, 1e9
    return Rig(services, printer, sims["printer"], Path(data_dir), Path(receipts_dir), services.demo_server.seed,
               cleanup, resources)


def result_line(flow_id: str, outcome: str, steps: list[str], receipt: Path | None, duration_s: float) -> str:
    """The last line `kiosk flow run` prints."""
    return json.dumps({"flow": flow_id, "outcome": outcome, "steps": steps,
                       "receipt": str(receipt) if receipt else None, "duration_s": round(duration_s, 3)},
                      ensure_ascii=False)
