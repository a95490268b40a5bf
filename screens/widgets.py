"""Widgets every screen uses: labels that break lines the right way for each script, bilingual
label pairs, big buttons, the QR image. Labels never let Kivy wrap text itself: Kivy breaks only
at ASCII spaces and otherwise splits anywhere, even inside a Tibetan stack."""
from __future__ import annotations

import io
from typing import Any, Callable

from kivy.core.image import Image as CoreImage
from kivy.lang import Builder
from kivy.properties import (BooleanProperty, ListProperty, NumericProperty, ObjectProperty, OptionProperty,
                             StringProperty)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.utils import escape_markup

from kiosk.i18n.translator import Msg, break_lines, font_path, font_runs, neutral_font, script_of
from screens.ui import ui

# Our measure (Pillow + RAQM) and SDL2_ttf's differ by a pixel or two per line; keep a margin
# so Kivy never re-wraps a line we already broke.
MEASURE_MARGIN = 0.97
LINE_HEIGHT = {"tibetan": 0.9, "cjk": 1.15, "yi": 1.2, "latin": 1.25}
# Noto Serif Tibetan's line box is 2.8 em (ascent 1.466, descent 1.349) for the deepest stacks;
# every catalog and demo-data line inks within 0.30-2.16 em of its top (the font's own extremes:
# 0.07-2.39 em). The box drops the blank 0.25 em above and 0.40 em below; the texture is still
# drawn whole, so a rare taller stack reaches into the gap beside it instead of being cut.
# That is ~23% of every Tibetan line given back to the content.
TRIM_EM = {"tibetan": (0.25, 0.40)}
# Nuosu SIL draws Yi narrow and light: at the same size a Yi name looked a size smaller than
# the Chinese and Tibetan beside it (issue 15). Yi text is set this much larger.
SCRIPT_SCALE = {"yi": 1.2}


def main_font_key(text: str, lang: str) -> str:
    for ch in text:
        s = script_of(ch)
        if s:
            return s
    return neutral_font(lang)


def markup_runs(line: str, lang: str) -> str:
    return "".join(f"[font={font_path(key)}]{escape_markup(run)}[/font]" for key, run in font_runs(line, lang))


def reuse_children(box: Any, count: int, make: Callable[[], Any]) -> list[Any]:
    """The first `count` children of `box` in display order, made with `make()` and added where
    missing. Widgets on show are reused for the next view (building one is most of a tap's cost,
    issue 15); the extra ones are removed and dropped, never kept aside with a citizen's text."""
    kids = list(reversed(box.children))  # Kivy keeps children newest-first
    for extra in kids[count:]:
        box.remove_widget(extra)
    kids = kids[:count]
    while len(kids) < count:
        kids.append(make())
        box.add_widget(kids[-1])
    return kids


class ScriptLabel(Label):
    """One text in one language, broken into lines by `kiosk.i18n.translator.break_lines`."""

    source_text = StringProperty("")
    lang = StringProperty("zh_CN")
    font_px = NumericProperty(30)
    bold = BooleanProperty(False)
    fit_height = BooleanProperty(True)
    broken_lines = ListProperty([])
    trim_top = NumericProperty(0)  # px of the texture above the box (TRIM_EM)
    trim_bottom = NumericProperty(0)

    def __init__(self, **kw: Any) -> None:
        self._batching = False
        self._laid_out: tuple[Any, ...] | None = None  # the inputs of the last layout (_refresh)
        super().__init__(**kw)
        self.markup = True
        self.line_height = 1.3
        self.fbind("source_text", self._refresh)
        self.fbind("lang", self._refresh)
        self.fbind("font_px", self._refresh)
        self.fbind("width", self._refresh)
        self._refresh()

    def update(self, text: str, lang: str, font_px: float, width: float | None = None) -> None:
        """Set all at once: one line-breaking pass instead of one per property."""
        self._batching = True
        try:
            self.lang, self.font_px = lang, font_px
            if width is not None:
                self.width = width
        finally:
            self._batching = False
        if self.source_text == text:
            self._refresh()
        else:
            self.source_text = text

    def _refresh(self, *_: Any) -> None:
        if self._batching:
            return
        text = self.source_text
        width = self.width - self.padding[0] - self.padding[2] if len(self.padding) == 4 else self.width
        # Nearly half the calls (a button's kv rules, a parent's layout pass) come with inputs
        # already laid out; an empty text does not depend on width or size. Breaking lines and
        # rendering the texture again for them was most of a screen's build time (issue 15).
        inputs = ((text, self.lang, self.font_px, self.width, tuple(self.padding), self.fit_height) if text
                  else ("", self.fit_height))
        if inputs == self._laid_out:
            return
        self._laid_out = inputs
        key = main_font_key(text, self.lang)
        font_px = self.font_px * SCRIPT_SCALE.get(key, 1.0)
        self.font_size = font_px
        self.font_name = font_path(key)
        # Line spacing >= 1.3 em: the Tibetan font's own line box is already 2.8 em (deep stacks).
        self.line_height = LINE_HEIGHT.get(key, 1.15)
        if not text or width < 10:
            self.broken_lines = [text] if text else []
        else:
            self.broken_lines = break_lines(text, self.lang, int(width * MEASURE_MARGIN), int(font_px))
        top, bottom = TRIM_EM.get(key, (0.0, 0.0)) if text else (0.0, 0.0)
        self.trim_top, self.trim_bottom = top * font_px, bottom * font_px
        self.text = "\n".join(markup_runs(line, self.lang) for line in self.broken_lines)
        self.text_size = (self.width, None)
        self.texture_update()
        if self.fit_height:
            self.height = self.box_height

    @property
    def box_height(self) -> float:
        """The height the text needs: its texture less the font's blank margins (TRIM_EM)."""
        return max(0.0, self.texture_size[1] - self.trim_top - self.trim_bottom) if self.text else 0.0

    def overflow(self) -> tuple[float, float]:
        """How far the text is wider and taller than the box (px; <= 0 when it fits)."""
        return self.texture_size[0] - self.width, self.box_height - self.height

    def on_texture_size(self, *_: Any) -> None:
        if self.fit_height:
            self.height = self.box_height


class BiLabel(BoxLayout):
    """A text in the chosen language, with Chinese beneath it in bilingual mode.

    Set `msg` to a catalog key, or `source` to a Msg / platform LocalText / Plain."""

    msg = StringProperty("")
    source = ObjectProperty(None, allownone=True)
    role = OptionProperty("body", options=["body", "title", "small", "huge"])
    halign = StringProperty("left")
    color = ListProperty([0.067, 0.067, 0.067, 1])
    muted_color = ListProperty([0.24, 0.24, 0.24, 1])
    primary_text = StringProperty("")
    secondary_text = StringProperty("")

    def __init__(self, **kw: Any) -> None:
        self.primary = ScriptLabel(size_hint_y=None)
        self.secondary = ScriptLabel(size_hint_y=None, lang="zh_CN")
        super().__init__(orientation="vertical", size_hint_y=None, **kw)
        self.add_widget(self.primary)
        for prop in ("msg", "source", "role", "halign", "color", "muted_color"):
            self.fbind(prop, self._refresh)
        # Held weakly and leaving nothing behind (screens/ui.py follow): the state lives for the
        # whole run and a label only as long as its screen shows it.
        ui().follow(self, "_refresh", "lang", "theme")
        self.primary.fbind("height", self._resize)
        self.secondary.fbind("height", self._resize)
        self._refresh()

    def _font(self, secondary: bool) -> float:
        t = ui().theme
        size = {"body": t.font_body, "title": t.font_title, "small": t.font_small, "huge": t.font_huge}[self.role]
        return size * (0.8 if secondary and self.role != "small" else 1.0)

    def _refresh(self, *_: Any) -> None:
        state = ui()
        src = self.source if self.source is not None else (Msg(self.msg) if self.msg else None)
        primary, secondary = state.pair(src) if src is not None else ("", None)
        self.primary_text, self.secondary_text = primary, secondary or ""
        for label, text, lang, sec in ((self.primary, primary, state.lang, False),
                                       (self.secondary, secondary or "", "zh_CN", True)):
            label.halign = self.halign
            label.color = self.muted_color if sec else self.color
            label.update(text, lang, self._font(sec))
        if secondary and self.secondary.parent is None:
            self.add_widget(self.secondary)
        elif not secondary and self.secondary.parent is not None:
            self.remove_widget(self.secondary)
        self._resize()

    def _resize(self, *_: Any) -> None:
        self.height = sum(c.height for c in self.children) + self.spacing * max(0, len(self.children) - 1)


class Icon(Label):
    """One pictogram of the registry (screens/icons.py) by name, drawn with its icon font; "" draws
    nothing. `size_px` is the glyph's em; the widget is that square."""

    name = StringProperty("")
    size_px = NumericProperty(40)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.fbind("name", self._refresh)
        self.fbind("size_px", self._refresh)
        self._refresh()

    def _refresh(self, *_: Any) -> None:
        from screens import icons

        usable = bool(self.name) and icons.FONT.exists()
        if usable:
            self.font_name = str(icons.FONT)
        self.font_size = max(1.0, self.size_px)
        self.text = icons.glyph(self.name) if usable else ""


class BigButton(ButtonBehavior, BoxLayout):
    """A touch target at least 18 mm tall, with a pictogram (screens/icons.py: its own `icon`, or
    the one its label, reason or option id means), a bilingual label and an optional detail line."""

    label = ObjectProperty(None, allownone=True)  # Msg, LocalText or Plain
    detail = ObjectProperty(None, allownone=True)
    reason = ObjectProperty(None, allownone=True)  # why it is disabled
    style = OptionProperty("primary", options=["primary", "secondary", "danger"])
    enabled = BooleanProperty(True)
    option_id = StringProperty("")
    compact = BooleanProperty(False)  # a secondary action in a row: smaller text, lower floor
    toggle = BooleanProperty(False)  # one of several choices that are ticked on and off
    checked = BooleanProperty(False)  # a ticked toggle: box ticked, frame drawn, "selected" said
    min_height = NumericProperty(0)  # set by OptionList so tiles in one row are equally tall
    natural_height = NumericProperty(0)
    bg = ListProperty([0, 0, 0, 1])
    fg = ListProperty([1, 1, 1, 1])
    icon = StringProperty("")  # an icon name; "" = the one the option means (or none)
    icon_name = StringProperty("")  # the icon drawn
    icon_mm = NumericProperty(0)  # its size; 0 = by the button's rank (widgets.kv)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        for prop in ("icon", "option_id", "label", "reason", "enabled"):
            self.fbind(prop, self._pick_icon)
        self._pick_icon()

    def _pick_icon(self, *_: Any) -> None:
        from screens import icons

        self.icon_name = self.icon or icons.for_option(self.option_id, self.label, self.reason, self.enabled)

    def on_touch_down(self, touch: Any) -> bool:
        if not self.enabled and self.collide_point(*touch.pos):
            return True  # swallow: a greyed tile does nothing, its reason is on it
        return super().on_touch_down(touch)


class QRImage(Image):
    """A QR code drawn from its data with segno; crisp at any size (nearest-neighbour scaling)."""

    data = StringProperty("")

    def on_data(self, *_: Any) -> None:
        if not self.data:
            self.texture = None
            return
        import segno

        buf = io.BytesIO()
        # Never Micro QR (segno picks it for short data): phone scanners do not read it.
        segno.make(self.data, error="m", micro=False).save(buf, kind="png", scale=8, border=2)
        buf.seek(0)
        tex = CoreImage(buf, ext="png").texture
        tex.mag_filter = "nearest"
        self.texture = tex


class CameraPreview(Widget):
    """The newest camera picture with a frame guide (hold the code inside it). The app feeds
    `show(frame)` with a grey numpy image; the widget never talks to the camera itself."""

    texture = ObjectProperty(None, allownone=True)

    def show(self, frame: Any) -> None:
        if frame is None:
            return
        from kivy.graphics.texture import Texture

        h, w = frame.shape[:2]
        if self.texture is None or self.texture.size != (w, h):
            self.texture = Texture.create(size=(w, h), colorfmt="luminance")
        # Kivy textures start at the bottom row: flip once here.
        self.texture.blit_buffer(frame[::-1].tobytes(), colorfmt="luminance", bufferfmt="ubyte")
        self.canvas.ask_update()


class ProgressSweep(Label):
    """An indeterminate progress bar; animated by the app's tick so it costs nothing when hidden."""

    phase = NumericProperty(0.0)


Builder.load_file(__file__.replace(".py", ".kv"))

# The bars and the action row are built from the widgets above; importing them here registers
# their kv rules wherever widgets are (screens.base imports this module through screens.options).
import screens.actions  # noqa: E402,F401
import screens.bars  # noqa: E402,F401
import screens.scrolling  # noqa: E402,F401 - KioskScrollView, every .kv's scrolling area
