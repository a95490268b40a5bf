"""Spoken prompts from recorded clips: `locales/<lang>/voice/<key>.ogg`, one per catalog key.

No text-to-speech runs on the terminal: there is no open synthesiser for Tibetan or Yi, and a
recorded clip can never say something the catalog does not. That is also the privacy rule made
structural: the voice only plays clips named by catalog keys and the digits/letters of a ticket
number, so a name, an ID number or an address can never reach the loudspeaker.

A new touch stops speech; the repeat button plays the last prompt again. The on-screen caption
always carries the text, so a missing clip costs sound, never meaning.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Iterable, Protocol

from kiosk.i18n.translator import DOMAIN, LOCALES_DIR, Msg

log = logging.getLogger(__name__)

SPELLABLE = re.compile(r"^[A-Z0-9-]{1,12}$")  # ticket numbers and counter numbers, nothing else
PLACEHOLDER = re.compile(r"\{\w+\}")


class Player(Protocol):
    def play(self, paths: list[Path]) -> None: ...

    def stop(self) -> None: ...


class NullPlayer:
    """No sound device (a test, a terminal with its speaker unplugged): remembers what it would say."""

    def __init__(self) -> None:
        self.played: list[list[Path]] = []
        self.stopped = 0

    def play(self, paths: list[Path]) -> None:
        self.played.append(list(paths))

    def stop(self) -> None:
        self.stopped += 1


def spell(text: str) -> list[str]:
    """Clip keys for a ticket number: A023 -> voice.letter.A, voice.digit.0, ..."""
    if not SPELLABLE.match(text):
        raise ValueError("only ticket-style numbers are spelled out")
    keys = []
    for ch in text:
        if ch.isdigit():
            keys.append(f"voice.digit.{ch}")
        elif ch.isalpha():
            keys.append(f"voice.letter.{ch}")
        else:
            keys.append("voice.dash")
    return keys


def view_prompt(view: Any) -> list[str]:
    """What a flow step says: its title and body when they are plain catalog texts, and the
    ticket number spelled out on the ticket step."""
    keys: list[str] = []
    for text in (getattr(view, "title", None), getattr(view, "body", None)):
        if isinstance(text, Msg) and not text.params:
            keys.append(text.id)
    number = getattr(view, "data", {}).get("number") if getattr(view, "kind", "") == "ticket" else None
    if isinstance(number, str) and SPELLABLE.match(number):
        keys[1:1] = spell(number)
    return keys


SCREEN_PROMPTS: dict[str, list[str]] = {
    "start": ["start.subtitle"],
    "language": ["language.title"],
    "help": ["help.how", "help.staff"],
    "done": ["done.title", "done.body"],
    "idle": ["idle.title", "idle.continue"],
    "technician_entry": [],
}


class Voice:
    def __init__(self, player: Player, locales_dir: Path = LOCALES_DIR) -> None:
        self.player = player
        self.locales_dir = locales_dir
        self.last: tuple[str, list[str]] | None = None
        self.enabled = True

    def clip(self, lang: str, key: str) -> Path:
        return self.locales_dir / lang / "voice" / f"{key}.ogg"

    def say(self, lang: str, keys: Iterable[str]) -> list[Path]:
        """Stop what is playing and play these prompts; returns the clips found."""
        keys = list(keys)
        self.last = (lang, keys)
        self.player.stop()
        paths = [p for p in (self.clip(lang, k) for k in keys) if p.is_file()]
        if paths and self.enabled:
            self.player.play(paths)
        return paths

    def stop(self) -> None:
        self.player.stop()

    def repeat(self) -> list[Path]:
        return self.say(*self.last) if self.last else []


def prompt_keys(locales_dir: Path = LOCALES_DIR) -> list[str]:
    """Every key that can be spoken: catalog texts without placeholders (a parameterised text
    would need its parameter recorded too; its caption carries it)."""
    from babel.messages.pofile import read_po

    with (locales_dir / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as f:
        catalog = read_po(f)
    return sorted(m.id for m in catalog if m.id and not PLACEHOLDER.search(str(m.string)))


def report(languages: Iterable[str], locales_dir: Path = LOCALES_DIR) -> dict[str, dict[str, Any]]:
    keys = prompt_keys(locales_dir)
    out = {}
    for lang in languages:
        missing = [k for k in keys if not (locales_dir / lang / "voice" / f"{k}.ogg").is_file()]
        out[lang] = {"prompts": len(keys), "recorded": len(keys) - len(missing), "missing": missing}
    return out
