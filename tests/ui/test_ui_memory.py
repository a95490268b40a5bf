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
