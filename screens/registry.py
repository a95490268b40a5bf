"""Every screen of the kiosk, by name: the only list of them.

Adding a screen is `screens/<name>.py` (a `KioskScreen` subclass named `<Name>Screen`) with its
`screens/<name>.kv`, plus one line below. A screen that renders flow views declares their kinds in
`view_kinds`; the window's root (screens/root.py) builds each screen the first time it is shown,
and `kiosk render --list` offers every registered screen (kiosk/demo/render.py).
"""
from __future__ import annotations

import re

SCREENS: dict[str, type] = {}
VIEW_SCREENS: dict[str, str] = {}  # view kind -> screen name


def screen_name(cls: type) -> str:
    """StartScreen -> start, TechnicianEntryScreen -> technician_entry."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__.removesuffix("Screen")).lower()


def register(cls: type, view_kinds: tuple[str, ...] = ()) -> type:
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
    from screens.choice import ChoiceScreen
    from screens.done import DoneScreen
    from screens.error import ErrorScreen
    from screens.help import HelpScreen
    from screens.instruction import InstructionScreen
    from screens.keyboard import KeyboardScreen
    from screens.keypad import KeypadScreen
    from screens.language import LanguageScreen
    from screens.result import ResultScreen
    from screens.scan import ScanScreen
    from screens.start import StartScreen
    from screens.technician import TechnicianScreen
    from screens.technician_entry import TechnicianEntryScreen
    from screens.technician_events import TechnicianEventsScreen
    from screens.technician_test import TechnicianTestScreen
    from screens.ticket import TicketScreen
    from screens.video_help import VideoHelpScreen
    from screens.waiting import WaitingScreen

    register(StartScreen)
    register(LanguageScreen)
    register(HelpScreen)
    # Identify and face steps are instructions (what to do, drawn) that wait for a device event.
    register(InstructionScreen, view_kinds=("instruction", "identify", "face"))
    # Evaluation is a choice (levels, then reasons with data["multi"]).
    register(ChoiceScreen, view_kinds=("choice", "evaluation"))
    register(WaitingScreen, view_kinds=("waiting",))
    register(ResultScreen, view_kinds=("result",))
    register(ErrorScreen, view_kinds=("error",))
    register(TicketScreen, view_kinds=("ticket",))
    register(DoneScreen, view_kinds=("done",))
    register(KeypadScreen, view_kinds=("keypad",))
    register(ScanScreen, view_kinds=("scan",))
    register(KeyboardScreen, view_kinds=("text", "search"))  # any script: pinyin, handwriting, བོད, ꆈꌠ (issue 17)
    register(TechnicianEntryScreen)
    register(TechnicianScreen)
    register(TechnicianTestScreen)
    register(TechnicianEventsScreen)
    register(VideoHelpScreen)  # issue 18: the call with remote staff


_register_all()
