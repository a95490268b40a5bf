"""Issue 16 #1, a visual language without reading: one licensed icon set (screens/icons.py) for
every service tile, action and status; pictures of every device step (screens/illustrations.py)
that move while shown and stop when the screen leaves; tapping a button's pictogram works."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from screens import icons

ROOT = Path(__file__).resolve().parents[2]
SCSS = Path("/usr/share/fonts-material-design-icons-iconfont/scss/_variables.scss")


def test_every_glyph_is_materials_own_and_in_the_font():
    assert icons.FONT.exists(), "Debian package fonts-material-design-icons-iconfont (Makefile DEB_PACKAGES)"
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(icons.FONT)).getBestCmap()
    named = dict(re.findall(r'"([a-z0-9_]+)": ([0-9a-f]+),', SCSS.read_text()))
    for name, (material, codepoint) in icons.GLYPHS.items():
        assert int(named[material], 16) == codepoint, f"{name}: {material} is not U+{codepoint:04X}"
        assert codepoint in cmap, f"{name}: U+{codepoint:04X} not in the font"
    # every name the maps use is in the registry
    used = {*icons.FLOW_ICONS.values(), *icons.DEPARTMENT_ICONS.values(), *icons.ITEM_SUFFIX_ICONS.values(),
            *icons.LABEL_ICONS.values(), *icons.ID_ICONS.values(), *icons.REASON_ICONS.values(),
            *icons.STATUS_ICONS.values()}
    assert used <= set(icons.GLYPHS), used - set(icons.GLYPHS)


def test_every_service_has_its_icon():
    from flows.registry import FLOWS

    for flow_id in FLOWS:
        assert icons.for_item(f"flow:{flow_id}"), flow_id
    seed = json.loads((ROOT / "kiosk/demo_platform/seed.json").read_text())
    for dept in seed["departments"]:
        assert icons.for_option(f"dept:{dept['id']}"), dept["id"]
        for item in dept["items"]:
            if item.get("flow"):
                assert icons.for_option(item["id"]), item["id"]
            else:  # a counter-only service shows the counter (its reason says so too)
                from kiosk.i18n.translator import Msg

                assert icons.for_option(item["id"], reason=Msg("start.counter_only"), enabled=False) == "counter"
    for queue_type in seed["queue_types"]:
        assert icons.for_option(queue_type["id"]), queue_type["id"]


def test_every_action_and_status_has_its_icon():
    """Every `action.*` text a flow or screen puts on a button has a pictogram: a new action
    without one fails here."""
    used = set()
    for folder in ("flows", "screens", "kiosk/terminal"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(re.findall(r'Msg\("(action\.[a-z_]+)"', path.read_text()))
    assert used and not used - set(icons.LABEL_ICONS), used - set(icons.LABEL_ICONS)
    for status in ("ok", "warning", "error", "printing", "waiting"):
        assert icons.glyph(icons.STATUS_ICONS[status])
    from flows.evaluate import LEVELS
    from kiosk.i18n.translator import Msg

    faces = [icons.for_option(level, Msg(f"evaluation.level.{level}")) for level in LEVELS]
    assert len(set(faces)) == len(LEVELS) and all(faces)


@pytest.mark.ui
@pytest.mark.parametrize("lang", ["zh_CN", "bo", "ii"])
def test_start_tiles_carry_their_icon_and_none_is_primary(ui, lang):
    from screens.widgets import BigButton, Icon

    c = ui.c
    c.ui.lang = lang
    c.catalog = c.s.platform.catalog()
    c.go_start()
    ui.pump(frames=3)
    tiles = [w for w in ui.widgets(c.root.screens["start"]) if isinstance(w, BigButton)]
    assert len(tiles) >= 7
    for tile in tiles:
        glyph = tile.ids.glyph
        assert isinstance(glyph, Icon) and tile.icon_name, tile.option_id
        assert glyph.text == icons.glyph(tile.icon_name) and glyph.font_name == str(icons.FONT)
        assert glyph.width >= c.ui.theme.mm(19), "a tile's pictogram is large"
        assert tile.style == "secondary", f"{tile.option_id}: services are of equal rank"
    assert {t.icon_name for t in tiles if t.option_id.startswith("flow:")} == {
        icons.FLOW_ICONS[f] for f in icons.FLOW_ICONS}
    c.ui.lang = "zh_CN"


@pytest.mark.ui
def test_tapping_a_buttons_pictogram_chooses_it(ui, monkeypatch):
    from flows.engine import Option, View
    from kiosk.i18n.translator import Msg

    c = ui.c
    chosen = []
    screen = c.root.show_view(View("error", Msg("error.platform_down.title"), None,
                                   options=(Option("retry", Msg("action.retry")),
                                            Option("home", Msg("action.back_to_start")))))
    monkeypatch.setattr(screen, "intent", lambda name, **data: chosen.append(data.get("option")))
    ui.pump(frames=3)
    retry = ui.button("retry")
    assert retry.icon_name == "retry" and ui.button("home").icon_name == "home"
    ui.tap(retry.ids.glyph)  # on the pictogram itself, not the words
    assert chosen == ["retry"]
    icons_on_screen = {w.name for w in ui.widgets(screen) if type(w).__name__ == "Icon" and w.name}
    assert "error" in icons_on_screen  # the status mark
    c.go_start()


@pytest.mark.ui
def test_identify_pictures_each_way_it_accepts_and_moves_only_while_shown(ui):
    from flows.engine import View
    from kiosk.i18n.translator import Msg

    c = ui.c
    screen = c.root.show_view(View("identify", Msg("identify.any.title"), Msg("identify.any.body"),
                                   data={"accept": ("idcard", "sscard", "qrcode")}))
    ui.pump(frames=4)
    art = screen.ids.art
    assert art.scenes == ["idcard", "sscard", "qrcode"]
    assert len(art.canvas.children) > 50  # drawn: three close-ups, each with its terminal map
    ui.pump(until=lambda: art.phase > 0, frames=200)  # it moves
    assert art.running
    c.root.show_view(View("face", Msg("face.title"), Msg("face.body")))
    ui.pump(frames=3)
    assert screen.ids.art.scenes == ["face"]
    c.go_start()
    ui.pump(frames=3)
    assert not art.running and art.phase == 0.0  # left: stopped, at rest
    phase = art.phase
    ui.pump(frames=10)
    assert art.phase == phase


@pytest.mark.ui
@pytest.mark.parametrize("kind, title, data, scene", [
    ("waiting", "print.printing.title", {"progress": True}, "printing"),
    ("result", "printed.title", {"rows": (), "qr": None, "print_error": None}, "paper"),
    ("scan", "identify.scan.title", {}, "qrcode"),
])
def test_device_steps_show_where_and_how(ui, kind, title, data, scene):
    from flows.engine import View
    from kiosk.i18n.translator import Msg

    c = ui.c
    screen = c.root.show_view(View(kind, Msg(title), None, data=data))
    ui.pump(frames=3)
    art = screen.ids.art
    assert art.scenes == [scene] and art.height > 0 and art.running
    c.go_start()
    ui.pump(frames=2)
    assert not art.running


@pytest.mark.ui
def test_a_failed_print_shows_the_warning_not_the_paper(ui):
    from flows.engine import View
    from kiosk.i18n.translator import Msg

    c = ui.c
    screen = c.root.show_view(View("result", Msg("printed.failed.title"), None,
                                   data={"rows": (), "qr": None, "print_error": "paper_out"}))
    ui.pump(frames=3)
    assert screen.ids.art.scenes == [] and screen.status == "warning"
    c.go_start()
