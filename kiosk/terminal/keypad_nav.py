"""The physical keypad (ADA 707.6, EN 301 549 8; issue 16 item 3): a 12-key telephone pad with a
raised dot on 5, plus Enter, Clear, Cancel and Help. A USB keypad is a keyboard, so its keys
arrive as the Window's own keyboard events (on_key_down / on_key_up); [keypad] in the site file
says which key each physical key sends (kiosk/core/access_config.py).

What the keys do (docs/speech_keypad.md):
  any key (speech mode off)  starts speech mode ([speech] start = "dot": only 5 does)
  2 4 *  previous item      8 6  next item      Enter  activate it (the same touch a finger gives)
  5      say it again        0   pause / go on   1 3    slower / faster    7 9  quieter / louder
  #      read my details (through headphones only)
  Clear  back (a "back" button, or the screen before)     Cancel  leave the service (on the
         start screen: speech mode off)                   Help    the help screen
On a typing screen (application number, search) the digits type, * and # move, Clear deletes.

Items are the current screen's buttons in reading order, then the top bar's, then Cancel; while
the idle warning shows, only its button. Activation is a real touch at the item's centre,
dispatched through the window like a finger's (so it reaches the same on_release, intent and idle
logic); an item inside a scroll view is scrolled into sight first.
"""
from __future__ import annotations

import logging
from typing import Any

from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.scrollview import ScrollView

from kiosk.core.access_config import KeypadConfig
from kiosk.i18n import spoken_numbers
from kiosk.terminal.keypad_keys import KeyMap, KeyTouch, key_clip, key_name
from kiosk.terminal.speech_mode import ENTRY_SCREENS, ITEM, UNAVAILABLE, text_keys
from screens.focus_ring import FocusRing, SpeechCaption

log = logging.getLogger(__name__)

ROW_TOLERANCE = 12  # px: buttons whose tops differ less are one row, read left to right
NAVIGATE = {"k2": "previous", "k4": "previous", "star": "previous", "k8": "next", "k6": "next",
            "k5": "repeat", "k0": "pause", "k1": "slower", "k3": "faster", "k7": "quieter", "k9": "louder",
            "hash": "private"}
TYPING = {"star": "previous", "hash": "next", "clear": "delete", **{f"k{d}": "type" for d in range(10)}}
COMMON = {"enter": "activate", "clear": "back", "cancel": "cancel", "help": "help"}
LEAVE_OPTIONS = ("home", "done", "ok")


class KeypadNav:
    def __init__(self, window: Any, controller: Any, config: KeypadConfig) -> None:
        self.window, self.c = window, controller
        self.speech = controller.speech
        self.map = KeyMap(config)
        self.guard_s = config.repeat_guard_s
        self.focus: Any = None
        self._ident: tuple[Any, ...] | None = None
        self._held: set[int] = set()
        self._last: dict[str, float] = {}
        self._pending = False
        self._before_warning: tuple[Any, ...] | None = None
        self.ring, self.caption = FocusRing(), SpeechCaption()
        self._on_top()
        window.bind(on_key_down=self._on_key_down, on_key_up=self._on_key_up)
        self.speech.on_screen = self.screen_changed
        controller.voice.on_spoken.append(self._spoken)
        controller.voice.on_done.append(self._silent)
        self._follow = Clock.schedule_interval(self._tick, 0.2)

    def close(self) -> None:
        self._follow.cancel()
        voice = self.c.voice
        for listeners, fn in ((voice.on_spoken, self._spoken), (voice.on_done, self._silent)):
            if fn in listeners:
                listeners.remove(fn)
        self.window.unbind(on_key_down=self._on_key_down, on_key_up=self._on_key_up)

    # -- keys -------------------------------------------------------------------------------------
    def _on_key_down(self, _window: Any, key: int, _scancode: Any = None, codepoint: str | None = None,
                     _modifiers: Any = None) -> bool:
        physical = self.map.physical(key, codepoint)
        if physical is None:
            return False
        if key in self._held:  # the keyboard's auto-repeat of a key held down: one press only
            return True
        self._held.add(key)
        now = self.c.clock.monotonic()
        if now - self._last.get(physical, float("-inf")) < self.guard_s:  # a double strike
            return True
        self._last[physical] = now
        try:
            self.press(physical)
        except Exception as e:  # noqa: BLE001 - like a tap: a bug ends in the failsafe
            self.c.recover(e, where="keypad")
        return True

    def _on_key_up(self, _window: Any, key: int, *_: Any) -> bool:
        self._held.discard(key)
        return False

    def press(self, physical: str) -> None:
        sp, c = self.speech, self.c
        if not sp.active:
            if c.root.current.startswith("technician"):
                return  # staff screens: the keypad does not start speech for the technician
            if sp.cfg.start == "any" or physical == "k5":
                sp.start()
                c._speak_screen(c.root.current)
            return
        c.idle.touch()
        table = TYPING if c.root.current in ENTRY_SCREENS else NAVIGATE
        action = table.get(physical) or COMMON.get(physical)
        if action != "pause":
            c.voice.stop()  # every other key interrupts the speech first
        if c.root.idle_shown:  # any key answers the warning
            c.intent("idle_continue")
            self._ident = self._before_warning or self._ident
            self.screen_changed(whole=True)
            return
        getattr(self, f"_do_{action}")(physical)

    # -- focus ------------------------------------------------------------------------------------
    def focusables(self) -> list[Any]:
        root = self.c.root
        if root.idle_shown:
            return self._buttons(root.idle)
        screen = root.manager.current_screen
        return (self._buttons(screen) + self._buttons(root.ids.topbar, ordered=False)
                + self._buttons(root.ids.bottombar, ordered=False))

    def _buttons(self, scope: Any, ordered: bool = True) -> list[Any]:
        found: list[Any] = []

        def walk(w: Any) -> None:
            if w.opacity <= 0 or w.disabled:
                return
            if isinstance(w, ButtonBehavior) and w.width > 1 and w.height > 1:
                found.append(w)
                return
            for child in reversed(w.children):  # Kivy keeps children newest-first
                walk(child)

        if scope is not None:
            walk(scope)
        if not ordered:
            return found

        def reading(w: Any) -> tuple[float, float]:
            x, top = w.to_window(w.x, w.top)
            return (-round(top / ROW_TOLERANCE), x)

        return sorted(found, key=reading)

    @staticmethod
    def identity(w: Any) -> tuple[Any, ...]:
        label = getattr(w, "label", None)
        return (type(w).__name__, getattr(w, "option_id", ""), getattr(label, "id", repr(label)), key_name(w))

    def screen_changed(self, whole: bool = False) -> None:
        """The screen (or its view) changed: place the focus once the layout settled, then speak."""
        if self._pending:
            self._whole = self._whole or whole
            return
        self._pending, self._whole = True, whole
        Clock.schedule_once(lambda dt: Clock.schedule_once(self._settled, 0), 0)

    def _settled(self, _dt: float = 0) -> None:
        self._pending = False
        if not self.speech.active:
            return
        items = self.focusables()
        keep = next((w for w in items if self._ident is not None and self.identity(w) == self._ident), None)
        if self.speech.fresh or keep is None:
            keep = self._default(items)
        self._set_focus(keep, items)
        self.speech.announce(self.item_keys(keep, items), whole=self._whole)

    def _default(self, items: list[Any]) -> Any:
        if self.c.root.current in ENTRY_SCREENS:
            ok = next((w for w in items if key_name(w) == "ok"), None)
            if ok is not None:
                return ok
        return items[0] if items else None

    def _set_focus(self, w: Any, items: list[Any] | None = None) -> None:
        self.focus = w
        self._ident = self.identity(w) if w is not None else None
        if w is not None:
            self._scroll_into_view(w)
        self.ring.show(w)
        self.c.videohelp_focus(getattr(w, "option_id", None) if w is not None else None)

    def item_keys(self, w: Any, items: list[Any] | None = None) -> list[str]:
        if w is None:
            return []
        keys = text_keys(getattr(w, "label", None)) or key_clip(key_name(w), getattr(w, "key_mode", None))
        if keys is None:  # no recording can say this text: its place in the list instead
            items = items if items is not None else self.focusables()
            n = items.index(w) + 1 if w in items else 1
            keys = [ITEM] + spoken_numbers.number(n, self.c.ui.lang)
        keys = list(keys)
        if getattr(w, "checked", False):
            keys.append("common.selected")
        if getattr(w, "enabled", True) is False:
            keys.append(UNAVAILABLE)
            keys += text_keys(getattr(w, "reason", None)) or []
        return keys

    def _move(self, step: int) -> None:
        items = self.focusables()
        if not items:
            self.speech.repeat()
            return
        i = items.index(self.focus) if self.focus in items else (-1 if step > 0 else 0)
        j = (i + step) % len(items)
        self._set_focus(items[j], items)
        wrapped = ["speech.wrap"] if step > 0 and j == 0 and i >= 0 else []
        self.speech.announce(wrapped + self.item_keys(items[j], items), whole=False)

    def _scroll_into_view(self, w: Any) -> None:
        p = w.parent
        while p is not None and p is not p.parent:
            if isinstance(p, ScrollView) and not self._inside(w, p):
                p.scroll_to(w, padding=10, animate=False)
            p = p.parent

    @staticmethod
    def _inside(w: Any, box: Any) -> bool:
        cx, cy = w.to_window(*w.center)
        bx, by = box.to_window(box.x, box.y)
        return bx <= cx <= bx + box.width and by <= cy <= by + box.height

    def _visible(self, w: Any) -> bool:
        p = w.parent
        while p is not None and p is not p.parent:
            if isinstance(p, ScrollView) and not self._inside(w, p):
                return False
            p = p.parent
        cx, cy = w.to_window(*w.center)
        return 0 <= cx <= self.window.width and 0 <= cy <= self.window.height

    # -- touching ---------------------------------------------------------------------------------
    def tap(self, w: Any, tries: int = 3) -> None:
        """A real touch at the widget's centre, through the window, as a finger gives it."""
        if w is None or w.get_root_window() is None:
            self.speech.repeat()
            return
        if not self._visible(w):
            self._scroll_into_view(w)
            if tries > 0:  # the scroll view moves its content on the next frames
                Clock.schedule_once(lambda dt: self.tap(w, tries - 1), 0)
                return
            log.warning("keypad: %s not visible after scrolling: pressed directly", type(w).__name__)
            w.trigger_action(0)
            return
        x, y = w.to_window(*w.center)
        touch = KeyTouch(x, y)
        EventLoop.post_dispatch_input("begin", touch)
        EventLoop.post_dispatch_input("end", touch)

    # -- actions ----------------------------------------------------------------------------------
    def _do_previous(self, _key: str) -> None:
        self._move(-1)

    def _do_next(self, _key: str) -> None:
        self._move(1)

    def _do_repeat(self, _key: str) -> None:
        self.speech.repeat()

    def _do_pause(self, _key: str) -> None:
        self.speech.pause_or_resume()

    def _do_slower(self, _key: str) -> None:
        self.speech.adjust("slower")

    def _do_faster(self, _key: str) -> None:
        self.speech.adjust("faster")

    def _do_quieter(self, _key: str) -> None:
        self.speech.adjust("quieter")

    def _do_louder(self, _key: str) -> None:
        self.speech.adjust("louder")

    def _do_private(self, _key: str) -> None:
        runner = self.c.runner
        self.speech.read_private(runner.view if runner is not None else None)

    def _do_activate(self, _key: str) -> None:
        w = self.focus if self.focus is not None and self.focus.get_root_window() is not None else None
        if w is None:
            self.screen_changed(whole=True)
            return
        if getattr(w, "enabled", True) is False:  # a greyed tile: its reason, nothing pressed
            self.speech.announce(self.item_keys(w), whole=False)
            return
        self.tap(w)

    def _find(self, test: Any) -> Any:
        return next((w for w in self.focusables() if test(w)), None)

    def _do_back(self, _key: str) -> None:
        back = self._find(lambda w: getattr(w, "option_id", "") == "back")
        if back is not None:
            self.tap(back)
        elif self.c.root.current in ("language", "help"):
            self.c.intent("back")
        else:
            self.speech.repeat()

    def _do_cancel(self, _key: str) -> None:
        root = self.c.root
        if root.current == "start":
            self.speech.stop()
            self.ring.hide()
            return
        cancel = self._find(lambda w: getattr(getattr(w, "label", None), "id", "") == "action.cancel")
        leave = cancel or self._find(lambda w: getattr(w, "option_id", "") in LEAVE_OPTIONS)
        if leave is not None and getattr(leave, "enabled", True):
            self.tap(leave)
        else:
            self.c.intent("cancel")

    def _do_help(self, _key: str) -> None:
        root = self.c.root
        if root.current == "help" and root.videohelp_on:
            # Help on the help screen: a person by video (issue 18), without finding the bar's button
            self.tap(root.ids.videohelp)
            return
        button = self._find(lambda w: getattr(getattr(w, "label", None), "id", "") == "bar.help")
        if button is not None:
            self.tap(button)
        else:
            self.c.intent("help")

    def _do_type(self, key: str) -> None:
        digit = key[1:]
        w = self._find(lambda b: key_name(b) == digit)
        if w is None:
            self.speech.say([UNAVAILABLE])
            return
        self.tap(w)
        self.speech.say(key_clip(digit) or [])

    def _do_delete(self, _key: str) -> None:
        w = self._find(lambda b: key_name(b) == "del")
        if w is not None:
            self.tap(w)
        self.speech.say(["keypad.del"])

    # -- the overlays -----------------------------------------------------------------------------
    def _spoken(self, spoken: Any) -> None:
        self.caption.note = spoken.note  # "spoken in Chinese" while a stand-in plays; else hidden

    def _silent(self) -> None:
        # The speech ended or was cut off: a note about it would only hide what lies under it.
        self.caption.note = None

    def _focus_warning(self) -> None:
        """The idle warning covers the screen: the focus goes to its button (the warning speaks
        itself, speech_mode.idle_tick), and comes back to where it was when the citizen answers."""
        warning = self.c.root.idle
        w = self.focus
        while w is not None and w is not warning and w is not w.parent:
            w = w.parent
        if w is warning:
            return
        items = self.focusables()
        if items:
            self._before_warning = self._ident
            self._set_focus(items[0], items)

    def _on_top(self) -> None:
        """The overlays above everything else on the window: the app's root is added after
        build() and the demo's drawer later still, so this is checked again on every tick."""
        children = self.window.children
        if children[:2] == [self.ring, self.caption]:
            return
        for w in (self.caption, self.ring):
            if w.parent is not None:
                w.parent.remove_widget(w)
            self.window.add_widget(w)

    def _tick(self, _dt: float) -> None:
        self._on_top()
        if self.speech.active and self.c.root.idle_shown:
            self._focus_warning()
        if not self.speech.active:
            if self.ring.shown:
                self.ring.hide()
                self.focus = None
            return
        self.ring.follow()
