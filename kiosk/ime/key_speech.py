"""What speech mode says for a key of the on-screen keyboard: the catalog keys of the clips that
name it (issue 17: speech for each key). A key is named by its keyboard's mode as well as by its
own name: the Tibetan keyboard's keys are named by their QWERTY position (kiosk/ime/tibetan.py),
so its "k" is the letter GA (U+0F42) and must never be read as the Latin K.

None means no clip can name the key (a candidate word: the platform's and the engines' words
have no recordings); the caller then says the item's place in the list instead."""
from __future__ import annotations

import unicodedata

from kiosk.i18n import spoken_numbers
from kiosk.ime.tibetan import BASE, STACK_KEY

FUNCTION_KEYS = {"ok": "keypad.ok", "del": "keypad.del", "space": "keyboard.key.space",
                 "clear": "keyboard.key.clear"}
MODE_KEYS = {"digits": "keyboard.mode.digits", "latin": "keyboard.mode.latin", "pinyin": "keyboard.mode.pinyin",
             "handwriting": "keyboard.mode.handwriting", "tibetan": "keyboard.mode.tibetan",
             "yi": "keyboard.mode.yi"}


def tibetan_key(ch: str) -> str | None:
    """The catalog key naming a Tibetan character of the keyboard (keyboard.tibetan.<wylie>)."""
    try:
        name = unicodedata.name(ch)
    except (TypeError, ValueError):
        return None
    if name.startswith("TIBETAN LETTER "):
        wylie = name.removeprefix("TIBETAN LETTER ").lower()
        return "keyboard.tibetan." + ("a_chung" if wylie == "-a" else wylie)
    if name.startswith("TIBETAN VOWEL SIGN "):
        return "keyboard.tibetan.vowel_" + name.removeprefix("TIBETAN VOWEL SIGN ").lower()
    if "TSHEG" in name:
        return "keyboard.tibetan.tsheg"
    if "SHAD" in name:
        return "keyboard.tibetan.shad"
    return None


def key_clips(name: str | None, mode: str | None = None) -> list[str] | None:
    """The clip keys for a keyboard key `name` ("q", "5", "ok", "mode:yi", "candidate:<word>")
    in keyboard mode `mode` (None: a keypad screen's key, digits and OK/delete)."""
    if not name:
        return None
    if name in FUNCTION_KEYS:
        return [FUNCTION_KEYS[name]]
    if name.startswith("mode:"):
        key = MODE_KEYS.get(name.removeprefix("mode:"))
        return [key] if key else None
    if name.startswith("candidate:"):
        return None
    if mode == "tibetan":
        if name == STACK_KEY:
            return ["keyboard.tibetan.subjoin"]
        ch = BASE.get(name)
        if ch is None:
            return None
        if unicodedata.category(ch) == "Nd":  # the Tibetan digits: said as numbers are
            return [spoken_numbers.DIGIT.format(unicodedata.digit(ch))]
        key = tibetan_key(ch)
        return [key] if key else None
    if len(name) == 1 and name.isdigit() and name.isascii():
        return [spoken_numbers.DIGIT.format(name)]
    if len(name) == 1 and name.isascii() and name.isalpha():
        return [f"voice.letter.{name.upper()}"]
    return None
