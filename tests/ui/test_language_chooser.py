"""The chooser offers the languages this terminal is configured for (terminal.languages), not
every language the software knows; tapped through the real window."""
from __future__ import annotations

from screens.widgets import BigButton


def _offered(ui) -> list[str]:  # noqa: ANN001
    screen = ui.c.root.screens["language"]
    found = [w for w in ui.widgets(screen) if isinstance(w, BigButton) and w.option_id]
    return [w.option_id for w in sorted(found, key=lambda w: (-w.to_window(*w.pos)[1], w.to_window(*w.pos)[0]))]


def test_a_two_language_terminal_offers_two(ui, monkeypatch):  # noqa: ANN001
    monkeypatch.setattr(ui.app.services.translator, "languages", ("zh_CN", "bo"))
    ui.tap(ui.button(msg="bar.language"))
    ui.pump(lambda: ui.c.root.current == "language")
    assert _offered(ui) == ["zh_CN", "bo"]  # top to bottom
    ui.tap(ui.button("bo"))
    ui.pump(lambda: ui.c.root.current == "start")
    assert ui.c.ui.lang == "bo"


def test_all_four_when_configured(ui):  # noqa: ANN001
    ui.tap(ui.button(msg="bar.language"))
    ui.pump(lambda: ui.c.root.current == "language")
    assert _offered(ui) == list(ui.app.services.translator.languages) == ["zh_CN", "bo", "ii", "en"]
