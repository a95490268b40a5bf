"""The README's "Adding things", tried: a throw-away language, flow and screen, each added the way
the README says, shows up where it must. (The device family's test is tests/unit/test_device_registry.py.)"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.engine import Flow, FlowError, Step, View
from kiosk.i18n import languages
from kiosk.i18n.translator import LOCALES_DIR, Msg, Translator


@pytest.fixture
def throwaway_language(tmp_path):
    """Language 'xx': a catalog folder (a copy of the source catalog) plus one register() line."""
    root = tmp_path / "locales"
    for code in languages.codes():
        shutil.copytree(LOCALES_DIR / code, root / code, ignore=shutil.ignore_patterns("voice"))
    shutil.copytree(LOCALES_DIR / "zh_CN", root / "xx", ignore=shutil.ignore_patterns("voice", "*.mo"))
    lang = languages.register(languages.Language("xx", babel="en_US", script="latin"))
    yield lang, root
    del languages.LANGUAGES["xx"]


def test_a_new_language_is_offered_checked_and_translated(throwaway_language, tmp_path):
    from kiosk.core import config
    from kiosk.i18n import catalogs

    _, root = throwaway_language
    assert "xx" in languages.codes()
    assert [p for p in catalogs.check(root) if p.startswith("xx:")] == []  # its catalog is checked like the others
    catalogs.compile_all(root)
    tr = Translator(locales_dir=root, languages=("zh_CN", "xx"))
    assert tr.text(Msg("start.title"), "xx") == tr.text(Msg("start.title"), "zh_CN")
    site = tmp_path / "site.toml"
    site.write_text('profile = "demo"\n[terminal]\nlanguages = ["zh_CN", "xx"]\n', encoding="utf-8")
    assert config.load(None, site).terminal.languages == ("zh_CN", "xx")


def test_an_unregistered_language_is_a_config_error(tmp_path):
    from kiosk.core import config

    site = tmp_path / "site.toml"
    site.write_text('profile = "demo"\n[terminal]\nlanguages = ["zh_CN", "xx"]\n', encoding="utf-8")
    with pytest.raises(config.ConfigError, match="terminal.languages"):
        config.load(None, site)


class _Throwaway(Flow):
    id = "throwaway"
    title = Msg("flow.queue_ticket.title")
    initial = "ask"
    steps = (Step("ask"),)

    def enter_ask(self) -> View:
        return View("result", Msg("queue.ticket.title"))

    def on_ask(self, event: str, data: dict) -> None:
        self.finish()


def test_a_new_flow_is_listed_by_the_cli(monkeypatch, capsys):
    from flows import registry
    from kiosk.terminal.cli import main

    monkeypatch.setitem(registry.FLOWS, _Throwaway.id, _Throwaway)  # the registration line
    assert main(["flow", "list"]) == 0
    assert "throwaway" in capsys.readouterr().out


def test_a_misspelled_step_handler_fails_when_the_class_is_made():
    with pytest.raises(FlowError, match=r"on_aks\(\) names no declared step"):
        class Misspelled(Flow):  # noqa: F841 - creating it is the test
            id = "misspelled"
            title = Msg("flow.queue_ticket.title")
            initial = "ask"
            steps = (Step("ask"),)

            def enter_ask(self) -> View:
                return View("result", Msg("queue.ticket.title"))

            def on_ask(self, event: str, data: dict) -> None:
                pass

            def on_aks(self, event: str, data: dict) -> None:  # the typo
                pass


def test_a_step_without_its_handlers_fails_when_the_class_is_made():
    with pytest.raises(FlowError, match="has no on_show"):
        class Incomplete(Flow):  # noqa: F841
            id = "incomplete"
            title = Msg("flow.queue_ticket.title")
            initial = "show"
            steps = (Step("show"),)

            def enter_show(self) -> View:
                return View("result", Msg("queue.ticket.title"))


def test_every_flow_of_the_catalog_passes_the_declaration_check():
    from flows.engine import check_declaration
    from flows.registry import FLOWS

    for cls in FLOWS.values():
        check_declaration(cls)


def test_a_new_screen_is_registered_and_rendered(tmp_path):
    pytest.importorskip("kivy")
    from kiosk.demo import render
    from screens import registry
    from screens.base import KioskScreen

    class ThrowawayScreen(KioskScreen):
        pass

    registry.register(ThrowawayScreen, view_kinds=("throwaway_kind",))  # the registration line
    try:
        assert registry.SCREENS["throwaway"] is ThrowawayScreen
        assert registry.VIEW_SCREENS["throwaway_kind"] == "throwaway"
        render._every_registered_screen()
        assert "throwaway" in render.SCENES  # `kiosk render --list` offers it
    finally:
        del registry.SCREENS["throwaway"], registry.VIEW_SCREENS["throwaway_kind"]
        render.SCENES.pop("throwaway", None)


def test_registering_a_screen_twice_is_refused():
    pytest.importorskip("kivy")
    from screens import registry
    from screens.start import StartScreen

    with pytest.raises(ValueError, match="twice"):
        registry.register(StartScreen)


def test_readme_adding_things_names_these_steps():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for needle in ("kiosk/i18n/languages.py", "flows/registry.py", "screens/registry.py", "devices/registry.py"):
        assert needle in readme, needle
