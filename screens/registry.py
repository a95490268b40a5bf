"""Every screen of the kiosk, by name: the only list of them.

Adding a screen is `screens/<name>.py` (a `KioskScreen` subclass named `<Name>Screen`) with its
`screens/<name>.kv`, plus one line below. A screen that renders flow views declares their kinds in
`view_kinds`; the window's root (screens/root.py) builds each screen the first time it is shown,
and `kiosk render --list` offers every registered screen (kiosk/demo/render.py).

A line names its screen as "module:Class": the module (and the .kv it loads) is imported the first
time the screen is asked for, not at start-up. The start screen draws its first frame without
parsing the other twenty-odd .kv files and their imports (issue 15: start-up stays fast as the
kiosk grows). A class can also be registered directly (a test's throw-away screen).
"""
from __future__ import annotations

import importlib
import re
from typing import Any


class ScreenTable(dict):
    """name -> screen class; a value registered as "module:Class" is imported on first lookup."""

    def __getitem__(self, name: str) -> type:
        value = super().__getitem__(name)
        if isinstance(value, str):
            module, _, cls = value.partition(":")
            value = getattr(importlib.import_module(module), cls)
            super().__setitem__(name, value)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def values(self) -> list[type]:  # type: ignore[override]
        return [self[name] for name in self]

    def items(self) -> list[tuple[str, type]]:  # type: ignore[override]
        return [(name, self[name]) for name in self]


SCREENS: ScreenTable = ScreenTable()
VIEW_SCREENS: dict[str, str] = {}  # view kind -> screen name


def screen_name(cls: type | str) -> str:
    """StartScreen -> start, TechnicianEntryScreen -> technician_entry."""
    name = cls.rpartition(":")[2] if isinstance(cls, str) else cls.__name__
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name.removesuffix("Screen")).lower()


def register(cls: type | str, view_kinds: tuple[str, ...] = ()) -> type | str:
    """`cls`: the screen class, or "module:Class" to import it when first shown."""
    name = screen_name(cls)
    if name in SCREENS:
        raise ValueError(f"screen {name!r} registered twice")
    SCREENS[name] = cls
    for kind in view_kinds:
        if kind in VIEW_SCREENS:
            raise ValueError(f"view kind {kind!r} already rendered by {VIEW_SCREENS[kind]!r}")
        VIEW_SCREENS[kind] = name
    return cls


def _register_all() -> None:
    register("screens.start:StartScreen")
    register("screens.language:LanguageScreen")
    register("screens.help:HelpScreen")
    # Identify and face steps are instructions (what to do, drawn) that wait for a device event.
    register("screens.instruction:InstructionScreen", view_kinds=("instruction", "identify", "face"))
    # Evaluation is a choice (levels, then reasons with data["multi"]).
    register("screens.choice:ChoiceScreen", view_kinds=("choice", "evaluation"))
    register("screens.waiting:WaitingScreen", view_kinds=("waiting",))
    register("screens.result:ResultScreen", view_kinds=("result",))
    register("screens.error:ErrorScreen", view_kinds=("error",))
    register("screens.ticket:TicketScreen", view_kinds=("ticket",))
    register("screens.done:DoneScreen", view_kinds=("done",))
    register("screens.keypad:KeypadScreen", view_kinds=("keypad",))
    register("screens.scan:ScanScreen", view_kinds=("scan",))
    # any script: pinyin, handwriting, བོད, ꆈꌠ (issue 17)
    register("screens.keyboard:KeyboardScreen", view_kinds=("text", "search"))
    register("screens.technician_entry:TechnicianEntryScreen")
    register("screens.technician:TechnicianScreen")
    register("screens.technician_test:TechnicianTestScreen")
    register("screens.technician_events:TechnicianEventsScreen")
    register("screens.technician_voice:TechnicianVoiceScreen")  # recording Tibetan/Yi prompts (issue 16)
    register("screens.video_help:VideoHelpScreen")  # issue 18: the call with remote staff


_register_all()
