"""[keypad] and [speech]: the physical keypad's key map and the speech mode's timeouts (issue 16,
EN 301 549 5.1.3 and 8, ADA 707). Declared here like [devices] and [fleet], decoded by
kiosk/core/decode.py through kiosk/core/config.py.

The keypad is the 12-key telephone pad (raised dot on 5) with Enter, Clear, Cancel and Help. A USB
keypad is a keyboard: each physical key sends some key of a keyboard, which differs between
makes. The site file says which, per physical key: a Kivy key name ("numpad5", "enter", "f1") or
one typed character ("#", "*"). What each physical key *does* is fixed and documented
(docs/speech_keypad.md), so a citizen finds the same keypad in every hall.

    [keypad]
    hash = ["numpaddivide", "#"]     # this make sends "/" for its # key
    help = ["f1"]
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from kiosk.core.decode import number, one_of, text

KeyName = text(min_len=1, max_len=24, pattern=r"^(?:.|[a-z][a-z0-9_]*)$",
               means="a Kivy key name (numpad5, enter, f1) or one character")
Keys = tuple[KeyName, ...]
Seconds = number(gt=0, le=24 * 3600.0)


@dataclass(frozen=True)
class KeypadConfig:
    """Physical key -> the keyboard keys it sends. Defaults: a numeric USB keypad (its own
    Enter, and +, -, . for Help, Cancel, Clear) and the top-row digits of a keyboard."""

    enabled: bool = True
    k0: Keys = ("numpad0", "0")
    k1: Keys = ("numpad1", "1")
    k2: Keys = ("numpad2", "2")
    k3: Keys = ("numpad3", "3")
    k4: Keys = ("numpad4", "4")
    k5: Keys = ("numpad5", "5")  # the key with the raised dot
    k6: Keys = ("numpad6", "6")
    k7: Keys = ("numpad7", "7")
    k8: Keys = ("numpad8", "8")
    k9: Keys = ("numpad9", "9")
    star: Keys = ("numpadmul", "*")
    hash: Keys = ("numpaddivide", "#")
    enter: Keys = ("numpadenter", "enter")
    clear: Keys = ("numpaddecimal", "backspace")
    cancel: Keys = ("numpadsubstract", "escape")
    help: Keys = ("numpadadd", "f1")
    # A key the same press must not be read twice within (ADA 707.6: a 0.5 s double-strike guard).
    repeat_guard_s: number(ge=0, le=2) = 0.5

    def physical_keys(self) -> dict[str, tuple[str, ...]]:
        """"k5" -> ("numpad5", "5"), ... in declaration order."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("enabled", "repeat_guard_s")}


@dataclass(frozen=True)
class SpeechConfig:
    """Speech mode: how it starts, and its longer, announced timeouts (at least 20 s to answer)."""

    # "any": the first press of any keypad key starts speech mode (a person who cannot see the
    # keypad finds *a* key); "dot": only the key with the raised dot (5) does.
    start: one_of("any", "dot") = "any"
    idle_s: Seconds = 120.0  # without a key press before the warning (touch mode: timeouts.idle_s)
    grace_s: Seconds = 60.0  # the warning, spoken, counted down; any key continues
    countdown_every_s: number(ge=5, le=60) = 10.0  # the seconds left said again this often
    # Private listening: the headphone jack's ALSA control (devices/audio/jack.py), e.g.
    # "alsa:0:Headphone Jack"; "" = no detection, so personal details are never read aloud.
    headphone_jack: text(max_len=80, pattern=r"^(?:alsa:(?:[0-9]{1,2}|[A-Za-z0-9_]{1,32}):[A-Za-z0-9 _-]{1,44})?$",
                         means="empty or alsa:<card>:<control>, e.g. alsa:0:Headphone Jack") = ""


def check(keypad: KeypadConfig, speech: SpeechConfig, idle_s: float) -> list[tuple[str, str]]:
    """Rules across keys: (key, problem) for each broken one."""
    out: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for physical, names in keypad.physical_keys().items():
        for name in names:
            other = seen.setdefault(name, physical)
            if other != physical:
                out.append((f"keypad.{physical}", f"{name!r} is already keypad.{other}"))
    if speech.grace_s < 20:
        out.append(("speech.grace_s", "must give the citizen at least 20 s to answer (WCAG 2.2.1)"))
    if speech.idle_s < idle_s:
        out.append(("speech.idle_s", f"shorter than timeouts.idle_s ({idle_s:g} s): speech mode is the slower one"))
    return out
