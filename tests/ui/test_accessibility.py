"""Every screen, every language, normal and large text: touch targets >= 9.5 mm, text contrast
>= 4.5:1 against what is behind it, and no label wider than its box (REFERENCE.md section 5);
in the same pass the layout (tests/ui/test_layout_share.py): the content gets half the height,
no text outside its box or under a bar, the top bar one size and place in every language."""
from __future__ import annotations

import pytest

from kiosk.demo.render import SCENES, show_scene

pytestmark = pytest.mark.ui

LOCALES = ("zh_CN", "bo", "ii", "en")
MIN_TARGET_MM = 9.5
MIN_CONTRAST = 4.5
# REFERENCE section 5: characters at least 4.8 mm (cap height) at the kiosk's real DPI. A Latin
# capital is about 0.7 em and a Chinese character about 0.9 em, so 6.8 mm of em holds for both.
# The bars' fitted labels are left out: their box is fixed, their own rule is test_layout_share.
MIN_EM_MM = 6.8


def luminance(rgba) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def background(widget, root, theme):
    from screens.error import ErrorScreen
    from screens.idle_warning import IdleWarning
    from screens.widgets import BigButton

    w = widget
    while w is not None and w is not root and w is not w.parent:
        if isinstance(w, BigButton):
            return w.bg
        if w in (root.ids.topbar, root.ids.bottombar):
            return theme.color("bar")
        if isinstance(w.parent, IdleWarning):
            return theme.color("bg")
        if isinstance(w, ErrorScreen):
            return theme.color("danger_bg")
        w = w.parent
    return theme.color("bg")


def visible(widget) -> bool:
    window = widget.get_root_window()
    if window is None:
        return False
    w = widget
    while w is not None and w is not window:  # Kivy's Window is its own parent
        if getattr(w, "opacity", 1) == 0 or w.height <= 0:
            return False
        w = w.parent
    return True


def in_bar(widget, root) -> bool:
    bars = (root.ids.topbar, root.ids.bottombar)
    w = widget
    while w is not None and w is not w.parent:
        if w in bars:
            return True
        w = w.parent
    return False


def audit(h) -> list[str]:
    from kivy.uix.button import Button

    from screens.widgets import BigButton, ScriptLabel

    c = h.c
    theme = c.ui.theme
    min_px = theme.mm(MIN_TARGET_MM)
    problems = []
    for w in h.widgets():
        if not visible(w):
            continue
        if isinstance(w, (BigButton, Button)) and not getattr(w, "disabled", False):
            if w.width < min_px - 0.5 or w.height < min_px - 0.5:
                problems.append(f"target {w.width:.0f}x{w.height:.0f}px < {min_px:.0f}px")
            if isinstance(w, BigButton) and w.natural_height > w.height + 1:
                problems.append(f"button content {w.natural_height:.0f}px taller than button {w.height:.0f}px")
        if isinstance(w, ScriptLabel) and w.source_text.strip() and not in_bar(w, c.root):
            if w.font_size < theme.mm(MIN_EM_MM) - 0.5:
                problems.append(f"text {w.font_size / theme.mm(1):.1f} mm em < {MIN_EM_MM} mm: {w.source_text[:20]!r}")
        if isinstance(w, ScriptLabel) and w.source_text.strip():
            ratio = contrast(w.color, background(w, c.root, theme))
            if ratio < MIN_CONTRAST:
                problems.append(f"contrast {ratio:.1f}:1 for {w.source_text[:20]!r}")
            if w.texture_size[0] > w.width + 2:
                problems.append(f"text {w.texture_size[0]:.0f}px overflows {w.width:.0f}px: {w.source_text[:20]!r}")
    return problems


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_every_screen_is_accessible(ui, large):
    c = ui.c
    ui.app.inline = True  # scenes run their platform calls in line, as `kiosk render` does
    from tests.ui.test_layout_share import bar_geometry, layout_problems

    failures, bars = [], {}
    try:
        # Language by language: a change of language re-lays out every built screen, so it is
        # made four times, not once per scene (the sweep took half of the suite's UI time).
        for loc in LOCALES:
            for name in SCENES:
                show_scene(c, name, loc, large)
                failures += [f"{name}.{loc}: {p}" for p in audit(ui) + layout_problems(ui)]
                bars.setdefault(bar_geometry(c), []).append(f"{name}.{loc}")
                fixed = getattr(c.ui.theme, "bar", None)  # one figure in both modes
                if c.root.ids.topbar.height != fixed:
                    failures.append(f"{name}.{loc}: top bar {c.root.ids.topbar.height:.0f}px, not {fixed}")
    finally:
        ui.app.inline = False
        c.ui.large = False
    if len(bars) > 1:
        failures.append("the top bar moves: " + "; ".join(f"{g[0]} in {w[:3]}" for g, w in bars.items()))
    assert failures == [], f"{len(failures)} problems:\n" + "\n".join(failures[:100])


def test_the_audit_catches_low_contrast_and_small_targets(ui):
    """The audit must be able to fail: a grey-on-white label and a tiny button are reported."""
    from kivy.uix.button import Button

    from screens.widgets import BiLabel

    start = ui.c.root.screens["start"]
    bad_label = BiLabel(source=__import__("kiosk.i18n.translator", fromlist=["Plain"]).Plain("faint"),
                        color=[0.8, 0.8, 0.8, 1], width=300)
    tiny = Button(text="x", size_hint=(None, None), size=(10, 10))
    from screens.widgets import ScriptLabel

    small_print = ScriptLabel(size_hint=(None, None), width=400)
    small_print.update("small print", "en", ui.c.ui.theme.mm(4))
    for w in (bad_label, tiny, small_print):
        start.add_widget(w)
    ui.pump(frames=3)
    try:
        problems = audit(ui)
    finally:
        for w in (bad_label, tiny, small_print):
            start.remove_widget(w)
    assert any(p.startswith("contrast") for p in problems)
    assert any(p.startswith("target 10x10") for p in problems)
    assert any("mm em <" in p and "small print" in p for p in problems)


@pytest.mark.parametrize("loc", LOCALES)
def test_speech_mode_timeouts_are_longer_announced_and_extendable(ui, loc):
    """Speech mode (issue 16; WCAG 2.2.1, REFERENCE.md section 5): the warning comes later than in
    touch mode, gives at least 20 s, is spoken with the seconds left and said again while they run
    out, shows "press any key" too, passes the audit, and any key of the keypad continues."""
    from tests.ui.keypad_pad import Pad

    c = ui.c
    speech, touch = c.cfg.speech, c.cfg.timeouts
    assert speech.grace_s >= 20 and speech.idle_s > touch.idle_s and speech.grace_s >= touch.idle_grace_s
    c.intent("language", lang=loc)
    pad = Pad(ui)
    try:
        pad.start_speech()
        c.clock.advance(touch.idle_s + touch.idle_grace_s + 1)  # touch mode would have wiped by now
        c.tick()
        assert not c.root.idle_shown and c.speech.active and c.ui.lang == loc
        # +0.01: the shared fake clock has run long, and two float steps can land a hair short
        c.clock.advance(speech.idle_s - (touch.idle_s + touch.idle_grace_s + 1) + 0.01)
        c.tick()
        ui.pump(frames=3)
        assert c.root.idle_shown and round(c.idle.seconds_left()) == round(speech.grace_s)
        said = pad.last
        assert said[0] == "idle.title" and said[-2:] == ["voice.word.second", "speech.idle"], said
        assert said[1:-2]  # the seconds left, from number clips
        assert c.root.idle.keypad_hint is not None
        problems = audit(ui)
        assert problems == [], problems
        c.clock.advance(speech.countdown_every_s)
        c.tick()
        again = pad.last
        assert again[0] == "idle.title" and again != said  # said again, with fewer seconds
        pad.press("k8")  # any key: still here
        c.tick()
        ui.pump(frames=3)
        assert not c.root.idle_shown and c.speech.active and c.ui.lang == loc
        c.clock.advance(speech.idle_s + speech.grace_s + 1)  # and nobody answers this time
        c.tick()
        assert not c.speech.active and c.ui.lang == c.cfg.terminal.default_language
        assert c.idle.idle_s == touch.idle_s and c.root.idle.keypad_hint is None
    finally:
        pad.close()
        c.speech.end_visit()
