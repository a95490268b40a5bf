"""Speech mode (EN 301 549 5.1.3, ADA 707.5; issue 16 item 2): everything on the screen spoken, in
the chosen language, for a person who cannot see it, driven by the physical keypad
(kiosk/terminal/keypad_nav.py).

- Started without sight: the first press of a keypad key (or, with `[speech] start = "dot"`, of
  the key with the raised dot, 5) says "speech mode is on" and how the keys work, then the screen.
- Each screen says its title and body (the same prompts as the read-aloud button), then the
  focused item; moving the focus says the item. A text no clip can say (the platform's own
  texts, a text with a number or a name in it) is never invented: the screen says that there is
  more text without a recording, and an item without one is said by its number ("item 3").
  Where the chosen language has no clip, the Chinese one plays and the caption says so
  (kiosk/i18n/voice.py; screens/focus_ring.py SpeechCaption).
- Pause, repeat, interrupt (every key press stops the speech first), volume and rate: the Voice's
  controls; all of them and speech mode itself end with the visit (`end_visit`).
- Personal details only on request (#) and only with headphones in (Voice.say_private).
- Timeouts are longer ([speech] idle_s, grace_s >= 20 s) and announced: the warning is spoken
  with the seconds left, again every [speech] countdown_every_s; any key continues.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kiosk.i18n import spoken_numbers
from kiosk.i18n.translator import Msg, Plain
from kiosk.i18n.voice import NOTE_PRIVATE, SCREEN_PROMPTS, view_prompt

if TYPE_CHECKING:
    from kiosk.core.access_config import SpeechConfig

log = logging.getLogger(__name__)

ON, OFF, KEYS, ENTRY = "speech.on", "speech.off", "speech.keys", "speech.entry"
NOT_RECORDED, ITEM, UNAVAILABLE = "speech.not_recorded", "speech.item", "speech.unavailable"
IDLE_KEYS, SECONDS = "speech.idle", "voice.word.second"
PRIVATE_NONE = "speech.private.none"
ENTRY_SCREENS = ("keypad", "keyboard")  # digits type there; * and # move the focus
HOLD_MARGIN_S = 5.0  # the idle expiry (which wipes, and ends speech mode) comes before the step deadline
# Said through headphones only: numbers longer than a ticket's (an application number). A masked
# ID number has its stars and never matches; the loudspeaker keeps spoken_numbers.SPELLABLE.
PRIVATE_SPELLABLE = re.compile(r"^[A-Z0-9-]{1,24}$")


def text_keys(text: Any) -> list[str] | None:
    """The clip keys that say a text, or None when no clip can (a platform text, a parameter)."""
    if isinstance(text, Msg) and not text.params:
        return [text.id]
    return None


def value_keys(value: Any, lang: str) -> list[str] | None:
    """A row's value said from clips: a catalog text, a date, or a ticket-shaped number."""
    keys = text_keys(value)
    if keys is not None:
        return keys
    raw = value.text if isinstance(value, Plain) else value
    if isinstance(raw, dt.date):
        return spoken_numbers.date(raw, lang)
    if isinstance(raw, str):
        try:
            return spoken_numbers.date(dt.date.fromisoformat(raw), lang)
        except ValueError:
            pass
        if PRIVATE_SPELLABLE.match(raw):  # an application or ticket number, letter by letter
            return [k for i in range(0, len(raw), 12) for k in spoken_numbers.spell(raw[i:i + 12])]
    return None


def row_keys(rows: Any, lang: str) -> tuple[list[str], bool]:
    """The clip keys of a result's (label, value) rows, and whether any part had none."""
    keys: list[str] = []
    skipped = False
    for label, value in rows:
        said_label, said_value = text_keys(label), value_keys(value, lang)
        if said_label is None or said_value is None:
            skipped = True
        if said_label is not None and said_value is not None:
            keys += said_label + said_value
    return keys, skipped


class SpeechMode:
    """Speech mode's state and what it says. Owned by the Controller; the keypad drives it."""

    def __init__(self, controller: Any, config: SpeechConfig) -> None:
        self.c = controller
        self.cfg = config
        self.active = False
        self.screen_keys: list[str] = []  # what the current screen says before its focused item
        self.screen_id: tuple[Any, ...] = ()  # which screen and view those keys belong to
        self.fresh = False  # the screen changed since the focus was last announced
        self.focus_keys: list[str] = []
        self.log: list[list[str]] = []  # every utterance of this visit, by key (tests, diagnostics)
        self.intro: list[str] = []  # "speech mode is on" and the keys, said once before the screen
        self.on_screen: Callable[[], None] = lambda: None  # the keypad places its focus, then announce()

    @property
    def voice(self) -> Any:
        return self.c.voice

    @property
    def lang(self) -> str:
        return self.c.ui.lang

    def say(self, keys: list[str]) -> None:
        self.log.append(list(keys))
        self.voice.say(self.lang, keys)

    # -- on and off -------------------------------------------------------------------------------
    def start(self) -> None:
        if self.active:
            return
        self.active = True
        log.info("speech mode on")
        self.c.idle.set_limits(self.cfg.idle_s, self.cfg.grace_s)
        self.c.idle.touch()
        self.c.root.idle.keypad_hint = Msg(IDLE_KEYS)  # the warning shows "press any key" too
        self.fresh = True
        self.intro = [ON, KEYS]

    def stop(self) -> None:
        """Cancel on the start screen: off, said, normal timeouts again."""
        if not self.active:
            return
        self.end_visit()
        self.voice.say(self.lang, [OFF])

    def end_visit(self) -> None:
        """The citizen's visit is over (idle expiry, the done screen timed out): speech mode off,
        volume, rate and private listening back to their defaults for the next person."""
        was = self.active
        self.active = False
        self.intro = []
        self.log.clear()
        self.c.idle.set_limits(self.c.cfg.timeouts.idle_s, self.c.cfg.timeouts.idle_grace_s)
        self.c.root.idle.keypad_hint = None
        self.voice.end_session()
        if was:
            log.info("speech mode off: visit over")

    # -- screens ----------------------------------------------------------------------------------
    def screen_spoken(self, name: str, view: Any = None) -> None:
        """The Controller shows a screen or a flow view: what it says, kept for the announcement
        after the focus is placed (keypad_nav), or said at once outside speech mode."""
        if view is not None:
            keys = view_prompt(view)
            unspoken = any(t is not None and text_keys(t) is None for t in (view.title, view.body))
            ident: tuple[Any, ...] = (name, view.kind, getattr(view.title, "id", repr(view.title)))
        else:
            keys, unspoken, ident = list(SCREEN_PROMPTS.get(name, [])), False, (name,)
        if not self.active:
            if view is not None or name in SCREEN_PROMPTS:
                self.voice.say(self.lang, keys)
            return
        if name in ENTRY_SCREENS:
            keys = keys + [ENTRY]
        if unspoken:
            keys = keys + [NOT_RECORDED]
        self.fresh = self.fresh or ident != self.screen_id
        self.screen_keys, self.screen_id = keys, ident
        self.on_screen()

    def announce(self, focus_keys: list[str], whole: bool) -> None:
        """Say the screen (when new, or asked) and then the focused item."""
        self.focus_keys = list(focus_keys)
        keys = (self.intro + self.screen_keys if whole or self.fresh else []) + self.focus_keys
        self.intro, self.fresh = [], False
        self.say(keys)

    # -- the controls -----------------------------------------------------------------------------
    def repeat(self) -> None:
        self.say(self.screen_keys + self.focus_keys)

    def pause_or_resume(self) -> None:
        if self.voice.paused:
            self.voice.resume()
        else:
            self.voice.pause()

    def adjust(self, what: str) -> None:
        """louder / quieter / faster / slower: said at the new setting, or "that is the limit"."""
        v = self.voice
        before = (v.volume, v.rate)
        {"louder": v.volume_up, "quieter": v.volume_down, "faster": v.faster, "slower": v.slower}[what]()
        self.say([f"speech.{what}" if (v.volume, v.rate) != before else "speech.limit"])

    def read_private(self, view: Any) -> None:
        """# on a result: its rows (label, then a date or a short number) read through headphones
        only (kiosk.i18n.voice.say_private); without them, the loudspeaker says why not. A value
        no clip can say (a name, a masked ID number, a platform's text) is left out, and said so."""
        v = self.voice
        v.request_private(True)
        if not v.private_listening:
            self.say([NOTE_PRIVATE])
            return
        keys, skipped = row_keys((getattr(view, "data", None) or {}).get("rows") or (), self.lang)
        if not keys:
            self.say([PRIVATE_NONE])
            return
        self.log.append(["<private>"])  # what was said privately is not kept, not even its keys
        v.say_private(self.lang, keys + ([NOT_RECORDED] if skipped else []))

    # -- the idle warning -------------------------------------------------------------------------
    def hold_step_deadline(self, runner: Any) -> None:
        """A step where the citizen acts has its own deadline (timeouts.result_s, 90 s) that once
        ended a speech-mode flow before its longer, spoken warning came. In speech mode the idle
        rule decides: the step's deadline never falls before the warning has run out."""
        if not self.active or runner is None or not runner.interactive or runner.deadline is None:
            return
        idle = self.c.idle
        runner.deadline = max(runner.deadline, idle.last_touch + idle.idle_s + idle.grace_s + HOLD_MARGIN_S)

    def idle_tick(self, seconds_left: float) -> None:
        """While the warning shows: say it, with the seconds left, now and every few seconds."""
        if not self.active or not self.c.idle.due_announcement(self.cfg.countdown_every_s):
            return
        n = max(0, round(seconds_left))
        self.say(list(SCREEN_PROMPTS["idle"][:1]) + spoken_numbers.number(n, self.lang) + [SECONDS, IDLE_KEYS])
