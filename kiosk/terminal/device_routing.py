"""Device events to the flow that asks for them, and nowhere else: cards, codes, status changes,
and the face pipeline (camera picture -> face capture in the worker pool -> flow events).
A mixin of the Controller (kiosk/terminal/controller.py)."""
from __future__ import annotations

import logging
from typing import Any

from flows.engine import WorkResult
from flows.ports import Identity

log = logging.getLogger(__name__)


class DeviceRouting:
    # delivered on the UI thread by the bus
    def on_device_status(self, name: str, status: Any) -> None:
        if self.root.current == "start":
            self._build_start()
        if self.runner is not None:
            self.runner.send("device_status", name=name, state=status.state, reason=status.reason)

    def _listening(self, kind: str, source: str | None = None) -> bool:
        view = self.runner.view if self.runner is not None and not self.runner.ended else None
        if view is None or view.kind != kind:
            return False
        return source is None or source in view.data.get("accept", (source,))

    def on_device_read(self, source: str, value: Any) -> None:
        """What a device read (kiosk.core.events.DeviceRead), to the handler for its kind."""
        if source == "idcard":
            self.on_card("idcard", identity_from_idcard(value))
        elif source == "sscard":
            self.on_card("sscard", identity_from_sscard(value))
        elif source == "scanner":
            self.on_code(value.symbology, value.text)
        else:
            log.debug("read from %s: no step takes it", source)

    def on_card(self, source: str, identity: Any) -> None:
        """A card was read. It reaches the flow only if the flow is asking for one right now;
        otherwise it is dropped here and then, so a card left on the reader never leaks into the
        next person's session."""
        if self._listening("identify", source):
            self.runner.send("card_read", identity=identity)
        elif self.runner is None:
            self.tech.on_card(source, identity)  # a technician card, or a reader's self-test

    def on_card_event(self, event: str, **data: Any) -> None:
        if self._listening("identify", data.get("source")):
            self.runner.send(event, **data)
        elif self.runner is None and event == "card_error":
            self.tech.on_card_error(str(data.get("source", "")), str(data.get("reason", "")))

    def on_code(self, symbology: str, text: str) -> None:
        # A code goes to a step that asks for one: a scan step, or an identify step that takes
        # the platform's identity QR code. Anywhere else it is dropped, never kept for later.
        if self._listening("scan") or self._listening("identify", "qrcode"):
            self.runner.send("code_scanned", symbology=symbology, text=text)
        elif self.runner is None:
            self.tech.on_code(symbology, text)  # the scanner's self-test

    def _face_tick(self) -> None:
        """On a face step, the newest camera picture goes through face capture in the worker pool
        (one at a time); guidance and the captured JPEG come back as flow events."""
        if not self._listening("face") or self._face_busy:
            return
        frame = getattr(self.s.hub.drivers.get("scanner"), "preview", None)
        if frame is None:
            return
        if self._face is None:
            from devices.scanner.face import FaceCapture, default_detector

            try:
                self._face = FaceCapture(default_detector())
            except Exception as e:  # noqa: BLE001 - no detector: the flow's timeout offers staff help
                log.warning("face capture unavailable: %s", type(e).__name__)
                self._face_busy = True
                return
        self._face_busy = True

        def done(result: WorkResult) -> None:
            self._face_busy = False
            if not result.ok or not self._listening("face"):
                return
            self.runner.send("face_check", check=result.value.check.guidance)
            if result.value.jpeg:
                self.runner.send("face_captured", jpeg=result.value.jpeg)
                self._face.reset()

        self.submit(lambda: self._face.feed(frame), done)



def identity_from_idcard(record: Any) -> Identity:
    return Identity(source="idcard", name=record.name or record.name_en or "", id_number=record.id_number,
                    card_type=record.card_type)


def identity_from_sscard(record: Any) -> Identity:
    return Identity(source="sscard", name=record.name or "", id_number=record.ssn or "", card_type="sscard",
                    extra=(("card_number", record.card_number),))
