"""Spoken prompts from recorded clips: `<root>/<lang>/voice/<key>.ogg|.wav`, one per catalog key
(kiosk/i18n/voice_store.py keeps them and their manifest).

No text-to-speech runs on the terminal: there is no open synthesiser for Tibetan or Yi, and a
recorded clip can never say something the catalog does not. That is also the privacy rule made
structural: the voice only plays clips named by catalog keys and the digits/letters of a ticket
number, so a name, an ID number or an address can never reach the loudspeaker; the few personal
details that *can* be composed from clips (a date of birth) go through `say_private`, which plays
only while private listening is on (the citizen asked, and headphones are in the jack).

Honesty: a prompt without a clip for the chosen language's *current* text (missing, or recorded
for an older wording) is spoken in Chinese when a Chinese clip exists, and `last_spoken.note` names
the catalog key of the caption the screen shows for it ("spoken in Chinese"); a prompt with no clip
at all is silent and listed in `last_spoken.silent`. Nothing pretends.

Controls (EN 301 549 5.1.3, issue 16 item 2): stop (a new touch interrupts), pause/resume, repeat,
volume (capped: the cap is the gain the installer measured at <= 65 dBA) and rate; `end_session`
puts volume, rate and private listening back to their defaults, so the next citizen starts fresh.
"""
from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

from kiosk.i18n.spoken_numbers import SPELLABLE, spell
from kiosk.i18n.translator import LOCALES_DIR, Msg
from kiosk.i18n.voice_store import ClipStore, catalog

log = logging.getLogger(__name__)

__all__ = ["NullPlayer", "Player", "SCREEN_PROMPTS", "Spoken", "Voice", "prompt_keys", "report", "spell",
           "view_prompt", "SPELLABLE"]

FALLBACK_LANG = "zh_CN"
NOTE_FALLBACK = "voice.note.zh_fallback"
NOTE_PRIVATE = "voice.note.private"
DEFAULT_VOLUME, VOLUME_CAP, VOLUME_STEP = 0.5, 0.8, 0.1  # player gain 0..1; cap = calibrated 65 dBA
DEFAULT_RATE, RATE_MIN, RATE_MAX, RATE_STEP = 1.0, 0.75, 1.5, 0.25


class Player(Protocol):
    """Plays clips one after another. `on_done`, set by the Voice that owns it, is called when the
    last clip has ended (or none could be played): the screen's caption must not outlive the speech."""

    on_done: Callable[[], None] | None

    def play(self, paths: list[Path]) -> None: ...

    def stop(self) -> None: ...


class HeadphoneJack(Protocol):
    """The platform's audio device says whether a plug is in (simulated in the demo)."""

    def plugged(self) -> bool: ...


class NoJack:
    """A terminal without headphone detection: never private."""

    def plugged(self) -> bool:
        return False


class NullPlayer:
    """No sound device (a test, a terminal with its speaker unplugged): remembers what it would say."""

    def __init__(self) -> None:
        # The newest utterances only: a muted kiosk (KIOSK_MUTE, the benches) runs for days.
        self.played: deque[list[Path]] = deque(maxlen=200)
        self.stopped = 0
        self.volume: float | None = None
        self.rate: float | None = None
        self.on_done: Callable[[], None] | None = None

    def finish(self) -> None:
        """What a real player does when its last clip ends (tests call it: no sound plays here)."""
        if self.on_done is not None:
            self.on_done()

    def play(self, paths: list[Path]) -> None:
        self.played.append(list(paths))

    def stop(self) -> None:
        self.stopped += 1

    def set_volume(self, volume: float) -> None:
        self.volume = volume

    def set_rate(self, rate: float) -> None:
        self.rate = rate


@dataclass
class Spoken:
    """What one say() did, for the screen's caption and for tests."""
    lang: str
    keys: list[str]
    paths: list[Path] = field(default_factory=list)
    fallback: list[str] = field(default_factory=list)  # keys spoken in FALLBACK_LANG instead
    silent: list[str] = field(default_factory=list)    # keys with no clip in either language
    private: bool = False

    @property
    def spoken_in(self) -> str | None:
        """"zh_CN" when any part was spoken in Chinese instead of the chosen language."""
        return FALLBACK_LANG if self.fallback else None

    @property
    def note(self) -> str | None:
        """The catalog key of the caption to show beside the speech, or None."""
        return NOTE_FALLBACK if self.fallback else None


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
    def __init__(self, player: Player, locales_dir: Path = LOCALES_DIR, roots: Iterable[Path] | None = None,
                 jack: HeadphoneJack | None = None, volume_cap: float = VOLUME_CAP) -> None:
        """roots: clip directories searched in order (a terminal's data dir with recorded and
        imported packs first, then the shipped locales); the catalogs are read from locales_dir."""
        self.on_done: list[Callable[[], None]] = []  # speech went silent: the caption hides
        self.player = player
        self.locales_dir = Path(locales_dir)
        self.stores = [ClipStore(Path(r)) for r in (roots or [self.locales_dir])]
        self.jack: HeadphoneJack = jack or NoJack()
        self.volume_cap = min(max(volume_cap, 0.0), 1.0)
        self.last: tuple[str, list[str]] | None = None
        self.last_spoken: Spoken | None = None
        self.enabled = True
        self.paused = False
        self.private_requested = False
        self.volume = DEFAULT_VOLUME
        self.rate = DEFAULT_RATE
        self.on_spoken: list[Callable[[Spoken], None]] = []  # the screen's caption listens here

    @property
    def player(self) -> Player:
        return self._player

    @player.setter
    def player(self, player: Player) -> None:
        # A player swapped in later (a test's recorder, a headset) reports its end to this voice.
        self._player = player
        player.on_done = self._done

    def _done(self) -> None:
        for listener in list(self.on_done):
            try:
                listener()
            except Exception:  # a caption bug must not silence the voice
                log.exception("voice end-of-speech listener failed")

    # -- finding clips --------------------------------------------------------------------------
    def _text(self, lang: str, key: str) -> str | None:
        try:
            entry = catalog(lang, self.locales_dir).get(key)
        except OSError:
            return None  # no catalog here (a bare clip folder): no change detection possible
        return entry.text if entry else None

    def _clip(self, lang: str, key: str) -> Path | None:
        text = self._text(lang, key)
        for store in self.stores:
            path = store.playable(lang, key, text) if text is not None else store.file(lang, key)
            if path is not None:
                return path
        return None

    def clip(self, lang: str, key: str) -> Path:
        """Where the shipped clip of a key is (kept for callers that build paths)."""
        return self.stores[-1].dir(lang) / f"{key}.ogg"

    def resolve(self, lang: str, keys: Iterable[str]) -> Spoken:
        spoken = Spoken(lang, list(keys))
        for key in spoken.keys:
            path = self._clip(lang, key)
            if path is None and lang != FALLBACK_LANG:
                path = self._clip(FALLBACK_LANG, key)
                if path is not None:
                    spoken.fallback.append(key)
            if path is None:
                spoken.silent.append(key)
            else:
                spoken.paths.append(path)
        return spoken

    # -- speaking -------------------------------------------------------------------------------
    def say(self, lang: str, keys: Iterable[str]) -> list[Path]:
        """Stop what is playing and play these prompts; returns the clips played (see last_spoken
        for which were Chinese stand-ins and which had no clip)."""
        keys = list(keys)
        self.last = (lang, keys)
        return self._play(self.resolve(lang, keys))

    def say_private(self, lang: str, keys: Iterable[str]) -> list[Path]:
        """Personal details composed from clips: played only in private listening; otherwise
        nothing personal is played and the caption key NOTE_PRIVATE tells why."""
        keys = list(keys)
        if not self.private_listening:
            self.player.stop()
            self.last_spoken = Spoken(lang, keys, silent=keys)
            self._notify(self.last_spoken)
            return []
        spoken = self.resolve(lang, keys)
        spoken.private = True
        return self._play(spoken)  # not kept in self.last: repeat must not replay it later

    def _play(self, spoken: Spoken) -> list[Path]:
        self.last_spoken = spoken
        self.player.stop()
        self.paused = False
        # The caption first, then the sound: a player that cannot play anything reports its end
        # at once, inside play(), and that end must come after the caption it ends.
        self._notify(spoken)
        if spoken.paths and self.enabled:
            self.player.play(spoken.paths)
        else:
            self._done()  # nothing to hear: nothing to caption either
        return spoken.paths

    def _notify(self, spoken: Spoken) -> None:
        for listener in list(self.on_spoken):
            try:
                listener(spoken)
            except Exception:  # a caption bug must not silence the voice
                log.exception("voice caption listener failed")

    def stop(self) -> None:
        """Interrupt (a new touch, a key press)."""
        self.paused = False
        self.player.stop()
        self._done()

    interrupt = stop

    def pause(self) -> None:
        """Pause: a player that can pause does; otherwise speech stops and resume() says the
        prompt again from its start (a clip is a few seconds; half a word helps nobody)."""
        if hasattr(self.player, "pause"):
            self.player.pause()
        else:
            self.player.stop()
        self.paused = True

    def resume(self) -> list[Path]:
        if not self.paused:
            return []
        self.paused = False
        if hasattr(self.player, "resume"):
            self.player.resume()
            return self.last_spoken.paths if self.last_spoken else []
        return self.repeat()

    def repeat(self) -> list[Path]:
        return self.say(*self.last) if self.last else []

    # -- volume, rate, private listening ---------------------------------------------------------
    def set_volume(self, volume: float) -> float:
        self.volume = round(min(max(volume, 0.0), self.volume_cap), 3)
        if hasattr(self.player, "set_volume"):
            self.player.set_volume(self.volume)
        return self.volume

    def volume_up(self) -> float:
        return self.set_volume(self.volume + VOLUME_STEP)

    def volume_down(self) -> float:
        return self.set_volume(self.volume - VOLUME_STEP)

    def set_rate(self, rate: float) -> float:
        self.rate = round(min(max(rate, RATE_MIN), RATE_MAX), 3)
        if hasattr(self.player, "set_rate"):
            self.player.set_rate(self.rate)
        return self.rate

    def faster(self) -> float:
        return self.set_rate(self.rate + RATE_STEP)

    def slower(self) -> float:
        return self.set_rate(self.rate - RATE_STEP)

    def request_private(self, on: bool = True) -> bool:
        """The citizen asks for personal details to be read; true only with headphones in."""
        self.private_requested = on
        return self.private_listening

    @property
    def private_listening(self) -> bool:
        return self.private_requested and self.jack.plugged()

    def end_session(self) -> None:
        """The session ended: stop, and the next citizen gets the default volume and rate and no
        private listening (an unplugged headset must not leave it on either)."""
        self.stop()
        self.private_requested = False
        self.last = None
        self.last_spoken = None
        self.set_volume(DEFAULT_VOLUME)
        self.set_rate(DEFAULT_RATE)


def prompt_keys(locales_dir: Path = LOCALES_DIR) -> list[str]:
    """Every key that can be spoken: catalog texts without placeholders (a parameterised text
    would need its parameter recorded too; its caption carries it)."""
    return sorted(catalog("zh_CN", locales_dir))


def report(languages: Iterable[str], locales_dir: Path = LOCALES_DIR,
           roots: Iterable[Path] | None = None) -> dict[str, dict[str, Any]]:
    from kiosk.i18n.voice_store import report as store_report

    return store_report(languages, locales_dir, roots)
