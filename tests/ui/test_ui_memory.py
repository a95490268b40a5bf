"""The UI must not grow over a day: screens are rebuilt all the time (catalog loads, device
status changes, language switches), and a widget that outlives its screen keeps memory and
redraws on every language change. Counts live widgets, not RSS (memory is measured in bench/)."""
from __future__ import annotations

import gc


def live(cls: type) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is cls)  # type(): gc also holds dead weak proxies


def test_rebuilding_the_start_screen_and_switching_languages_leaks_no_widgets(ui):
    from screens.options import OptionList
    from screens.widgets import BiLabel

    c = ui.c
    c.go_start()
    ui.pump(frames=3)
    catalog = c.catalog

    def churn() -> None:
        c.catalog, c.catalog_error = None, "unreachable"  # the platform drops...
        c._build_start()
        c.catalog, c.catalog_error = catalog, None  # ...and comes back: every tile made anew
        c._build_start()
        c.intent("language", lang="bo")
        c.intent("language", lang="zh_CN")

    for _ in range(3):  # warm: every lazily made screen and cache exists now
        churn()
    before = (live(BiLabel), live(OptionList))
    for _ in range(10):
        churn()
    ui.pump(frames=3)
    assert (live(BiLabel), live(OptionList)) == before


def test_labels_built_and_dropped_leave_nothing_on_the_shared_state(ui):
    """A kiosk may keep one language all day: labels made and dropped in the meantime must not
    leave entries behind on the language and theme state (Kivy keeps a dead weak binding until
    the property next changes, and each new binding walks them all: the 2,000-session UI soak
    slowed from 1.5 to 2.4 s a session). Checked with the state's own observer lists."""
    from kiosk.i18n.translator import Plain
    from screens.ui import state
    from screens.widgets import BiLabel, BigButton

    def entries() -> int:
        return sum(len(state.get_property_observers(p)) for p in ("lang", "theme", "translator"))

    def followed() -> int:
        return sum(len(t) for t in state._followers.values())

    gc.collect()
    before, followed_before = entries(), followed()
    for i in range(300):
        BiLabel(source=Plain(f"label {i}"))
        BigButton(label=Plain(f"button {i}"))
    gc.collect()
    assert entries() - before <= 2
    assert followed() - followed_before <= 2  # the dropped ones are gone from the followers too


def _bar_color_bindings(view) -> int:
    import types

    gc.collect()
    # type(), not isinstance(): gc also holds dead weak proxies, which raise when asked
    return sum(1 for o in gc.get_objects() if type(o) is types.MethodType
               and o.__func__.__name__ == "_change_bar_color" and o.__self__ is view)


def test_a_scrolling_area_keeps_one_bar_binding_however_often_it_is_laid_out(ui):
    """Kivy's ScrollView binds its bar colour again at every layout pass and drops one binding per
    fade: the start screen's list gathered seven a session in the UI soak. The kiosk's does not."""
    from kivy.uix.scrollview import ScrollView
    from kivy.uix.widget import Widget

    from screens.scrolling import KioskScrollView

    counts = {}
    for cls in (ScrollView, KioskScrollView):
        view = cls(size=(400, 400))
        view.add_widget(Widget(size_hint_y=None, height=2000))
        for _ in range(40):  # layout passes closer together than the bar's half-second fade
            view.update_from_scroll()
        ui.pump(frames=2)
        counts[cls.__name__] = _bar_color_bindings(view)
    assert counts["ScrollView"] >= 39  # the leak this class exists for (Kivy 2.3.1)
    assert counts["KioskScrollView"] <= 1
    start = ui.c.root.screens["start"].ids.content
    assert isinstance(start, KioskScrollView)  # and the screens use it
