"""The keypad's small parts: keyboard key -> physical key (KeyMap), a touch at a widget
(KeyTouch), and what a typing screen's key is and which clip says it. Used by keypad_nav.py."""
from __future__ import annotations

import re
from typing import Any

from kivy.base import EventLoop
from kivy.core.window import Keyboard
from kivy.input.motionevent import MotionEvent

from kiosk.core.access_config import KeypadConfig
from kiosk.i18n.translator import Msg
from kiosk.ime.key_speech import key_clips

KEY_NAMES = {code: name for name, code in Keyboard.keycodes.items()}
MARKUP = re.compile(r"\[[^\]]*\]")


class KeyTouch(MotionEvent):
    """A touch at a window position, dispatched like a finger's (kivy.tests.common does the same)."""

    def __init__(self, x: float, y: float) -> None:
        win = EventLoop.window
        super().__init__("keypad", 1, {"x": x / max(1.0, win.width - 1.0), "y": y / max(1.0, win.height - 1.0)},
                         is_touch=True, type_id="touch")

    def depack(self, args: dict[str, float]) -> None:
        self.sx, self.sy = args["x"], args["y"]
        self.profile = ["pos"]
        super().depack(args)


class KeyMap:
    """Keyboard key (Kivy keycode, or the character typed) -> physical keypad key ("k5", "enter")."""

    def __init__(self, config: KeypadConfig) -> None:
        self.by_name = {name: physical for physical, names in config.physical_keys().items() for name in names}

    def physical(self, key: int, codepoint: str | None = None) -> str | None:
        name = KEY_NAMES.get(key)
        if name is not None and name in self.by_name:
            return self.by_name[name]
        if codepoint and codepoint in self.by_name:
            return self.by_name[codepoint]
        return None


def plain_text(widget: Any) -> str:
    return MARKUP.sub("", str(getattr(widget, "text", ""))).strip()


def key_name(widget: Any) -> str | None:
    """A typing screen's key: the keyboard's key_name, or a keypad Button's own text."""
    name = getattr(widget, "key_name", None)
    if name:
        return str(name)
    text = plain_text(widget)
    if len(text) == 1:
        return text.lower() if text.isalpha() else text
    from screens.ui import ui

    for special in ("ok", "del"):
        if text and text.endswith(ui().text(Msg(f"keypad.{special}"))):
            return special
    return None


def key_clip(name: str | None, mode: str | None = None) -> list[str] | None:
    """The clips that name a typing screen's key (kiosk/ime/key_speech.py; mode: the keyboard's)."""
    return key_clips(name, mode)
