"""The window's bars: buttons and a status line in a box of fixed height. The box never grows
with the language or the text mode; the text shrinks until it fits on one line (issue 15: the
top bar took up to 540 px in Tibetan large text and moved under the finger when the mode
changed, so a second tap on "large text" opened the language chooser)."""
from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n.translator import Msg, text_width
from screens.ui import ui
from screens.widgets import SCRIPT_SCALE, BigButton, ScriptLabel, main_font_key, reuse_children

FIT_STEPS = (1.0, 0.92, 0.85, 0.78, 0.71, 0.64, 0.57, 0.5, 0.44)
SECONDARY, NAMES = 0.8, 0.72  # the Chinese line and the language names, relative to the first line


class FitLabel(BoxLayout):
    """A text (and its Chinese in bilingual mode, and optionally a row of language names) set
    as large as `max_font` allows inside this widget's own size, centred."""

    source = ObjectProperty(None, allownone=True)
    names = ListProperty([])  # [(text, lang), ...] drawn side by side, each in its own font
    max_font = NumericProperty(24)
    color = ListProperty([1, 1, 1, 1])
    halign = StringProperty("center")
    font_px = NumericProperty(0)  # the size chosen by the last fit

    def __init__(self, **kw: Any) -> None:
        self.primary = ScriptLabel(size_hint=(None, None))
        self.secondary = ScriptLabel(size_hint=(None, None), lang="zh_CN")
        self.row = BoxLayout(orientation="horizontal", size_hint=(None, None), pos_hint={"center_x": 0.5})
        super().__init__(orientation="vertical", **kw)
        self.add_widget(Widget())
        self.add_widget(self.primary)
        self.add_widget(Widget())
        # One fit per frame, however many of these change in it: at start-up and on a language
        # or text-mode change each bar label got its size, source and colour one after another,
        # and fitted (up to nine trial layouts) after each: 33 fits, a third of the start-up.
        # timeout -1: the fit runs in the same frame, before it is drawn.
        self._fit_soon = Clock.create_trigger(self._fit, -1)
        for prop in ("source", "names", "max_font", "color", "halign", "size"):
            self.fbind(prop, self._fit_soon)
        ui().follow(self, "_fit_soon", "lang", "theme")

    def _texts(self) -> tuple[str, str]:
        if self.source is None:
            return "", ""
        primary, secondary = ui().pair(self.source)
        return primary, ("" if self.names else secondary or "")

    def _name_width(self, text: str, lang: str, font: float) -> float:
        scaled = font * SCRIPT_SCALE.get(main_font_key(text, lang), 1.0)
        return text_width(text, lang, int(scaled)) + font * 0.6

    def _fit(self, *_: Any) -> None:
        if self.width < 10 or self.height < 10:
            return
        primary, secondary = self._texts()
        width = self.width
        chosen = FIT_STEPS[-1]
        for step in FIT_STEPS:
            if self._layout(primary, secondary, self.max_font * step, width) and self.total <= self.height:
                chosen = step
                break
        self._layout(primary, secondary, self.max_font * chosen, width)
        self.font_px = self.max_font * chosen

    def _layout(self, primary: str, secondary: str, font: float, width: float) -> bool:
        """Set every line at `font`; True when each text stays on one line."""
        lang = ui().lang
        for label, text, lng, size in ((self.primary, primary, lang, font),
                                       (self.secondary, secondary, "zh_CN", font * SECONDARY)):
            label.halign = self.halign
            label.color = self.color
            label.update(text, lng, size, width)
        show_secondary = bool(secondary)
        if show_secondary and self.secondary.parent is None:
            self.add_widget(self.secondary, index=1)
        elif not show_secondary and self.secondary.parent is not None:
            self.remove_widget(self.secondary)
        # the names' labels are kept between trials
        labels = reuse_children(self.row, len(self.names), lambda: ScriptLabel(size_hint=(None, None), halign="center"))
        row_width = 0.0
        for label, (text, lng) in zip(labels, self.names):
            w = self._name_width(text, lng, font * NAMES)
            label.color = self.color
            label.update(text, lng, font * NAMES, w)
            row_width += w
        self.row.width = row_width
        self.row.height = max((c.height for c in self.row.children), default=0)
        if self.names and self.row.parent is None:
            self.add_widget(self.row, index=1)
        elif not self.names and self.row.parent is not None:
            self.remove_widget(self.row)
        one_line = len(self.primary.broken_lines) <= 1 and len(self.secondary.broken_lines) <= 1
        return one_line and row_width <= width

    @property
    def total(self) -> float:
        shown = [self.primary] + [w for w in (self.secondary, self.row) if w.parent is self]
        return sum(w.height for w in shown)


class BarButton(BigButton):
    """A bar's button: a fixed box (the bar's height, its share of the width), fitted text."""

    names = ListProperty([])


class LanguageButton(BarButton):
    """The way to another language: "language" in the current one, and beneath it every other
    offered language by its own name in its own script, so a Tibetan or Yi reader finds it on
    the Chinese start screen (issue 15)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.label = Msg("bar.language")
        ui().follow(self, "_names", "lang", "translator")
        self._names()

    def _names(self, *_: Any) -> None:
        state = ui()
        if state.translator is None:
            return
        self.names = [(state.translator.text(Msg(f"language.choice.{code}"), code), code)
                      for code in state.translator.languages if code != state.lang]


class StatusLine(FitLabel):
    """The bar's 24-hour status line: fitted like the buttons, left of nothing, never growing."""


Builder.load_file(__file__.replace(".py", ".kv"))
