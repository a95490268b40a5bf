"""The one icon registry: every pictogram the kiosk shows, by name -> glyph, and which icon a
service tile, an action button or a status gets (issue 16: meaning without reading).

The glyphs are Google's Material Icons, drawn from the font Debian ships in
`fonts-material-design-icons-iconfont` (Makefile DEB_PACKAGES):
    Copyright 2014-2020 Material Design Authors, 2019-2022 Jossef Harush
    Licensed under the Apache License, Version 2.0 (/usr/share/doc/fonts-material-design-icons-iconfont/copyright)
The font is used as it is (not modified, not redistributed by this project). Codepoints below are
Material's own (the package's scss/_variables.scss); tests/ui/test_icons.py checks each against it
and against the font's character map.

Icons are picked, in this order, by: the button's own `icon`; the catalog key of its label (the
text says what the button does, so "action.back_to_start" is a home whatever the option's id);
a disabled tile's reason (a counter-only service shows the counter); the option id (flow tiles
"flow:<id>", catalog items, guide departments, queue types); nothing. Pure data: no Kivy here."""
from __future__ import annotations

from pathlib import Path
from typing import Any

FONT = Path("/usr/share/fonts/truetype/material-design-icons-iconfont/MaterialIcons-Regular.ttf")
LICENCE = "Material Icons, Apache License 2.0 (Debian: fonts-material-design-icons-iconfont)"

# name -> (Material's own name, codepoint)
GLYPHS: dict[str, tuple[str, int]] = {
    # services
    "ticket": ("confirmation_number", 0xE638),
    "insurance": ("health_and_safety", 0xE1D5),
    "medical": ("medical_services", 0xF109),
    "house": ("home_work", 0xEA09),
    "progress": ("pending_actions", 0xF1BB),
    "guide": ("menu_book", 0xEA19),
    "licence": ("card_membership", 0xE8F7),
    "evaluate": ("thumbs_up_down", 0xE8DD),
    "family": ("family_restroom", 0xF1A2),
    "tax": ("request_quote", 0xF1B6),
    "shop": ("storefront", 0xEA12),
    "civil": ("account_balance", 0xE84F),
    "people": ("groups", 0xF233),
    "counter": ("support_agent", 0xF0E2),  # a person at a staffed counter
    "document": ("description", 0xE873),
    "search": ("manage_search", 0xF02F),
    # actions
    "print": ("print", 0xE8AD),
    "back": ("arrow_back", 0xE5C4),
    "home": ("home", 0xE88A),
    "cancel": ("close", 0xE5CD),
    "done": ("task_alt", 0xE2E6),
    "retry": ("replay", 0xE042),
    "help": ("help", 0xE887),
    "send": ("send", 0xE163),
    "skip": ("skip_next", 0xE044),
    "keypad": ("dialpad", 0xE0BC),
    "keyboard": ("keyboard", 0xE312),
    "scan": ("qr_code_scanner", 0xF206),
    "language": ("translate", 0xE8E2),
    "large_text": ("text_increase", 0xEAE2),
    "normal_text": ("text_decrease", 0xEADD),
    "video": ("videocam", 0xE04B),
    "speak": ("volume_up", 0xE050),
    "mic": ("mic", 0xE029),
    "stop": ("stop", 0xE047),
    "save": ("save", 0xE161),
    "call": ("support_agent", 0xF0E2),
    "touch": ("touch_app", 0xE913),
    # statuses
    "ok": ("check_circle", 0xE86C),
    "warning": ("warning", 0xE002),
    "error": ("error", 0xE000),
    "printing": ("local_printshop", 0xE555),
    "waiting": ("hourglass_top", 0xEA5B),
    # evaluation levels, best first
    "level_5": ("sentiment_very_satisfied", 0xE815),
    "level_4": ("sentiment_satisfied", 0xE813),
    "level_3": ("sentiment_neutral", 0xE812),
    "level_2": ("sentiment_dissatisfied", 0xE811),
    "level_1": ("sentiment_very_dissatisfied", 0xE814),
    # devices (what a step uses)
    "idcard": ("badge", 0xEA67),
    "sscard": ("credit_card", 0xE870),
    "contactless": ("contactless", 0xEA71),
    "face": ("face", 0xE87C),
    "qrcode": ("qr_code", 0xEF6B),
    "receipt": ("receipt_long", 0xEF6E),
}

# A flow's tile, on the start screen ("flow:<id>") and for catalog items that run it.
FLOW_ICONS = {
    "queue_ticket": "ticket",
    "social_insurance_certificate": "insurance",
    "real_estate_query": "house",
    "application_progress": "progress",
    "service_guide": "guide",
    "elicense_print": "licence",
    "evaluation": "evaluate",
}

# Departments (the catalog's, the guide's "dept:<id>", queue types share these ids).
DEPARTMENT_ICONS = {
    "social_insurance": "insurance",
    "medical_insurance": "medical",
    "real_estate": "house",
    "household": "family",
    "civil_affairs": "civil",
    "market_regulation": "shop",
    "taxes": "tax",
    "general": "people",
}

# A catalog item's id names what it does by its last word (the demo platform's and the
# provincial catalogs' convention: <department>_<what>); the longest match wins.
ITEM_SUFFIX_ICONS = {
    "ticket": "ticket",
    "guide": "guide",
    "progress": "progress",
    "evaluation": "evaluate",
    "query": "search",
    "certificate": "document",
    "certificate_print": "licence",
    "payment_proof": "document",
    "licence_print": "licence",
    "marriage_print": "licence",
    "print": "print",
}

# What a button does, by its label's catalog key.
LABEL_ICONS = {
    "action.print": "print",
    "action.reprint": "print",
    "action.back": "back",
    "action.back_to_start": "home",
    "action.cancel": "cancel",
    "action.done": "done",
    "action.retry": "retry",
    "action.evaluate": "evaluate",
    "action.submit": "send",
    "action.skip": "skip",
    "action.scan_instead": "scan",
    "action.type_number": "keypad",
    "identify.scan.type_instead": "keypad",
    "progress.another": "search",
    "help.callback.button": "call",
    "videohelp.back": "back",
    # the bars' buttons: language, text size, help, read aloud, video help (its three states)
    "bar.language": "language",
    "bar.large_text": "large_text",
    "bar.normal_text": "normal_text",
    "bar.help": "help",
    "bar.repeat": "speak",
    "videohelp.button": "video",
    "videohelp.bar.queued": "video",
    "videohelp.bar.in_call": "video",
    "videohelp.hangup": "cancel",
    "videohelp.again": "call",
    # technician mode: recording voice prompts
    "tech.voice.title": "mic",
    "tech.voice.record": "mic",
    "tech.voice.stop": "stop",
    "tech.voice.listen": "speak",
    "tech.voice.keep": "save",
    "tech.voice.redo": "retry",
    "tech.voice.skip": "skip",
    "evaluation.subject.self_service": "touch",
    "evaluation.subject.counter": "counter",
    "evaluation.subject.hall": "civil",
    **{f"evaluation.level.{n}": f"level_{n}" for n in range(1, 6)},
}

# Option ids that mean one thing wherever they appear.
ID_ICONS = {
    "print": "print", "reprint": "print", "back": "back", "home": "home", "cancel": "cancel",
    "done": "done", "retry": "retry", "help": "help", "evaluate": "evaluate", "submit": "send",
    "skip": "skip", "keypad": "keypad", "scan": "scan", "another": "search",
    **{f"rate_{n}": f"level_{n}" for n in range(1, 6)},
}

# A disabled tile's reason that changes what it means: only at a counter.
REASON_ICONS = {"start.counter_only": "counter"}

# Statuses, for the screens that report one.
STATUS_ICONS = {"ok": "ok", "warning": "warning", "error": "error", "printing": "printing", "waiting": "waiting"}


def glyph(name: str) -> str:
    """The character to draw with FONT for an icon name ("" for no icon)."""
    return chr(GLYPHS[name][1]) if name else ""


def _key(text: Any) -> str:
    return str(getattr(text, "id", "") or "")  # a Msg's catalog key; platform texts have none


def for_item(item_id: str) -> str:
    """A start-screen tile or catalog item by its id: "flow:<id>", or a catalog item id."""
    if item_id.startswith("flow:"):
        return FLOW_ICONS.get(item_id[5:], "")
    if item_id in FLOW_ICONS:
        return FLOW_ICONS[item_id]
    for suffix in sorted(ITEM_SUFFIX_ICONS, key=len, reverse=True):
        if item_id.endswith("_" + suffix) or item_id == suffix:
            return ITEM_SUFFIX_ICONS[suffix]
    return ""


def for_option(option_id: str, label: Any = None, reason: Any = None, enabled: bool = True) -> str:
    """The icon name for a button made from an Option (see the module's docstring), or ""."""
    if _key(label) in LABEL_ICONS:
        return LABEL_ICONS[_key(label)]
    if not enabled and _key(reason) in REASON_ICONS:
        return REASON_ICONS[_key(reason)]
    if option_id in ID_ICONS:
        return ID_ICONS[option_id]
    if option_id.startswith("dept:"):
        return DEPARTMENT_ICONS.get(option_id[5:], "")
    if option_id.startswith("guide:"):
        return "guide"
    if option_id in DEPARTMENT_ICONS:
        return DEPARTMENT_ICONS[option_id]
    return for_item(option_id)
