"""The on-screen keyboard: one widget wherever a citizen types (search, application number,
evaluation comment, callback number), with modes digits, Latin, pinyin, handwriting, Tibetan, Yi.

The mode follows the chosen language (zh_CN pinyin, bo Tibetan, ii Yi, en Latin) and the mode bar
switches it; `modes` limits the choice (an application number is digits + Latin). Keys are
KEY_MM (>= 12 mm) on a PITCH_MM (17 mm) grid at the configured DPI (screens/theme.py mm()).
The typed text is drawn by a ScriptLabel (font runs per script, shaped), not a TextInput: Kivy's
TextInput breaks Tibetan stacks. Engines are kiosk/ime's (the same the CLI contract checks).

Events: on_change(text) after every edit, on_submit(text) on OK.

KeyboardScreen shows it for flow views of kind "text" and "search" (the service guide's search:
the results are the view's options, above the keys; OK sends "search" {query}). View.data "modes" (the modes offered,
default all), "mode" (default: the language's), "max_len", "text" (typed so far), "words" (what the
Tibetan/Yi strip completes to), "event" (sent on OK with {text}, default "text"), "keys" (key names
pressed on show: for renders and demos).
"""
from __future__ import annotations

import unicodedata
from typing import Any

from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button

from kiosk.i18n.translator import Msg
from kiosk.ime import tibetan, yi
from screens.base import KioskScreen, load_kv
from screens.keyboard_pad import HandwritingPad  # noqa: F401 - the kv rule uses it
from screens.ui import ui
from screens.widgets import markup_runs

MODES = ("digits", "latin", "pinyin", "handwriting", "tibetan", "yi")
MODE_FOR_LANG = {"zh_CN": "pinyin", "bo": "tibetan", "ii": "yi", "en": "latin"}
# each mode's name on the mode bar: the scripts by their own names (a citizen finds their script by
# sight), the Chinese methods in Chinese (they type Chinese); the names are catalog keys
MODE_LABEL = {"digits": "123", "latin": "ABC", "pinyin": Msg("keyboard.mode.pinyin"),
              "handwriting": Msg("keyboard.mode.handwriting"), "tibetan": Msg("keyboard.mode.tibetan"),
              "yi": Msg("keyboard.mode.yi")}
KEY_MM, PITCH_MM = 14.0, 17.0  # issue 17: keys >= 12 mm, 17 mm pitch
LARGE_KEY_MM, LARGE_PITCH_MM = 15.0, 18.5  # large-text mode: a little larger keys and letters
PAD_MM, LARGE_PAD_MM = 70.0, 95.0  # the handwriting pad's side
# the script a mode's candidates are drawn in (its font), whatever the screen's language; keys are
# Latin (pinyin, Yi romanisation) or Tibetan: Latin keys stay Latin in a Yi screen (its font's Latin is a serif)
MODE_SCRIPT = {"pinyin": "zh_CN", "handwriting": "zh_CN", "tibetan": "bo", "yi": "ii"}
QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
TIBETAN_ROWS = ("1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./")  # cn(tib) positions
DIGIT_ROWS = ("123", "456", "789", "0")
SPECIAL = {"del": "\u232b", "ok": "OK", "space": "\u2423", "clear": "\u2715"}
WORDS = {"ok": Msg("keypad.ok"), "del": Msg("keypad.del")}  # said in the citizen's language (issue 15 #6)

_engines: dict[str, Any] = {}


def engine(name: str) -> Any:
    """The process's pinyin IME / handwriting recogniser, made on first use (librime is global)."""
    if name not in _engines:
        if name == "pinyin":
            from kiosk.ime.pinyin import PinyinIME
            _engines[name] = PinyinIME()
        else:
            from kiosk.ime.handwriting import Recognizer
            _engines[name] = Recognizer()
    return _engines[name]


class Keyboard(BoxLayout):
    text = StringProperty("")
    composing = StringProperty("")  # pinyin or Yi letters not yet turned into characters
    mode = OptionProperty("pinyin", options=MODES)
    modes = ListProperty(list(MODES))
    lang = StringProperty("zh_CN")
    candidates = ListProperty([])
    words = ListProperty([])  # Tibetan/Yi words the strip completes to (catalog titles)
    max_len = NumericProperty(64)
    stacking = BooleanProperty(False)  # Tibetan: the next consonant is subjoined

    def __init__(self, **kw: Any) -> None:
        self._cache: dict[tuple[str, str, Any], list[BoxLayout]] = {}
        self.register_event_type("on_change")
        self.register_event_type("on_submit")
        super().__init__(**kw)
        self.fbind("mode", self._rebuild)
        self.fbind("modes", self._rebuild)
        self.fbind("words", self._words_changed)
        self.fbind("lang", self._rebuild)
        ui().follow(self, "_rebuild", "theme")  # large text resizes the keys
        self._bo = tibetan.TibetanIME(self.words)
        self._ii = yi.YiIME(self.words)
        self._rebuild()

    def on_kv_post(self, *_: Any) -> None:
        self._rebuild()

    def on_change(self, text: str) -> None:
        pass

    def on_submit(self, text: str) -> None:
        pass

    def _words_changed(self, *_: Any) -> None:
        self._bo, self._ii = tibetan.TibetanIME(self.words), yi.YiIME(self.words)

    # -- mode ------------------------------------------------------------------------------------
    def follow_language(self, lang: str) -> None:
        self.lang = lang
        wanted = MODE_FOR_LANG.get(lang, "latin")
        self.mode = wanted if wanted in self.modes else self.modes[0]

    def set_mode(self, mode: str) -> None:
        if mode in self.modes:
            self.mode = mode

    # -- keys ------------------------------------------------------------------------------------
    def press(self, key: str) -> None:
        """One key by name: a QWERTY position (Tibetan by position too), a digit, or del/ok/space/clear."""
        if key == "ok":
            self._commit_first()
            self.dispatch("on_submit", self.text)
            return
        if key == "del":
            self._delete()
        elif key == "clear":
            self.text, self.composing, self.stacking = "", "", False
            if self.mode == "handwriting":
                self.ids.pad.clear()
        elif key == "space":
            if not self._commit_first():
                self._type(" ")
        elif self.mode in ("pinyin", "yi") and key.isalpha():
            if len(self.text) + len(self.composing) < self.max_len:
                self.composing += key.lower()
        elif self.mode == "tibetan":
            if key == tibetan.STACK_KEY:
                self.stacking = not self.stacking
            else:
                stack = self.stacking and key in tibetan.SUBJOINED and self.text[-1:] not in ("", *tibetan.MARKS, " ")
                self._type(tibetan.SUBJOINED[key] if stack else tibetan.compose(key))
                self.stacking = False
        else:
            self._type(key.upper() if self.mode == "latin" else key)
        self._refresh_candidates()

    def choose(self, index: int) -> None:
        if not 0 <= index < len(self.candidates):
            return
        word = self.candidates[index]
        if self.mode == "tibetan":
            self.text = word[:self.max_len]  # Tibetan candidates are the whole text, completed
        else:
            self._type(word)
        self.composing = ""
        if self.mode == "handwriting":
            self.ids.pad.clear()
        self._refresh_candidates()

    def _commit_first(self) -> bool:
        if self.composing and self.candidates:
            self.choose(0)
            return True
        return False

    def _type(self, s: str) -> None:
        if s and len(self.text) + len(s) <= self.max_len:
            self.text += s
            self.dispatch("on_change", self.text)

    def _delete(self) -> None:
        if self.composing:
            self.composing = self.composing[:-1]
        elif self.mode == "handwriting" and self.ids.pad.strokes:
            self.ids.pad.clear()
        elif self.text:
            self.text = self.text[:-1]
            self.dispatch("on_change", self.text)

    def on_strokes(self, strokes: list) -> None:
        self.candidates = engine("handwriting").classify(strokes, 10) if strokes else []

    def _refresh_candidates(self) -> None:
        if self.mode == "pinyin":
            self.candidates = engine("pinyin").candidates(self.composing, 10) if self.composing else []
        elif self.mode == "yi":
            self.candidates = self._ii.candidates(self.composing, 10) if self.composing else []
        elif self.mode == "tibetan":
            self.candidates = self._bo.complete(self.text, 10)[1:] if self.text else []
        elif self.mode != "handwriting":
            self.candidates = []

    # -- building --------------------------------------------------------------------------------
    def rows(self, mode: str | None = None) -> list[list[str]]:
        """The key names of a mode, row by row (the bottom row is the same everywhere)."""
        mode = mode or self.mode
        if mode == "digits":
            body = [list(r) for r in DIGIT_ROWS]
        elif mode == "tibetan":
            body = [list(r) for r in TIBETAN_ROWS]
        elif mode == "handwriting":
            body = []
        else:
            body = ([list("1234567890")] if mode == "latin" else []) + [list(r) for r in QWERTY]
        return body + [["clear", "space", "del", "ok"]]

    def label(self, key: str, mode: str | None = None) -> str:
        mode = mode or self.mode
        if key in SPECIAL:
            return SPECIAL[key]
        if mode == "tibetan":
            if key == tibetan.STACK_KEY:
                return "\u25cc\u0f90"
            ch = tibetan.BASE.get(key, key)
            # vowel signs drawn on a dotted circle, as keyboards print them
            return "\u25cc" + ch if unicodedata.category(ch) == "Mn" else ch
        return key.upper() if mode == "latin" else key

    @staticmethod
    def sizes() -> tuple[float, float]:
        """(key, pitch) in px for the theme: larger in large-text mode."""
        t = ui().theme
        return (t.mm(LARGE_KEY_MM), t.mm(LARGE_PITCH_MM)) if t.large else (t.mm(KEY_MM), t.mm(PITCH_MM))

    def _rows_for(self, mode: str) -> list[BoxLayout]:
        """A mode's key rows, built once (a Kivy Button costs ~3 ms: a mode switch that rebuilt
        50 keys took 150-500 ms, measured by bench/ime.py) and kept for language and theme."""
        t = ui().theme
        cache_key = (mode, self.lang, t)
        if cache_key not in self._cache:
            lines = []
            size, pitch = self.sizes()
            for row in self.rows(mode):
                line = BoxLayout(size_hint=(None, None), height=size, spacing=pitch - size, pos_hint={"center_x": 0.5})
                for key in row:
                    wide = {"space": 3.0, "ok": 2.0, "clear": 1.0, "del": 1.5}.get(key, 1.0)
                    width = size * wide + (pitch - size) * (wide - 1)
                    button = self._button(self.label(key, mode), lambda k=key: self.press(k), width=width,
                                          primary=key == "ok", key=key, script="bo" if mode == "tibetan" else "en")
                    button.key_mode = mode  # what the key means depends on it: speech mode names it so
                    line.add_widget(button)
                line.width = sum(c.width for c in line.children) + line.spacing * (len(row) - 1)
                lines.append(line)
            self._cache[cache_key] = lines
        return self._cache[cache_key]

    def _prebuild(self, *_: Any) -> None:
        """Build one not-yet-built mode per frame after the keyboard is up: switches are then instant."""
        from kivy.clock import Clock

        t = ui().theme
        todo = [m for m in self.modes if (m, self.lang, t) not in self._cache]
        if todo:
            self._rows_for(todo[0])
            Clock.schedule_once(self._prebuild, 0)

    def _rebuild(self, *_: Any) -> None:
        if "keyrows" not in self.ids:
            return
        from kivy.clock import Clock

        t = ui().theme
        self.composing, self.stacking, self.candidates = "", False, []
        modebar, keys = self.ids.modebar, self.ids.keyrows
        bar_key = (tuple(self.modes), self.lang, t)
        if getattr(self, "_bar_key", None) != bar_key:
            self._bar_key = bar_key
            modebar.clear_widgets()
            for m in self.modes:
                label = MODE_LABEL[m]
                text = label if isinstance(label, str) else ui().text(label)
                b = self._button(text, lambda m=m: self.set_mode(m), width=t.mm(24), key="mode:" + m,
                                 script="en" if m in ("digits", "latin") else "zh_CN")
                b.texture_update()  # "Handwriting" is wider than 24 mm: the button fits its name
                b.width = max(t.mm(24), b.texture_size[0] + t.mm(4))
                modebar.add_widget(b)
        for b in modebar.children:  # the chosen mode's button is the primary colour
            on = b.key_name == "mode:" + self.mode
            b.background_color = t.color("primary") if on else t.color("secondary")
            b.color = t.color("primary_text") if on else t.color("secondary_text")
        keys.clear_widgets()
        for line in self._rows_for(self.mode):
            keys.add_widget(line)
        self.ids.pad_box.opacity = 1 if self.mode == "handwriting" else 0
        self.ids.pad_box.disabled = self.mode != "handwriting"
        side = t.mm(LARGE_PAD_MM if t.large else PAD_MM)
        self.ids.pad.size = (side, side)
        self.ids.pad_box.height = side if self.mode == "handwriting" else 0
        modebar.opacity, modebar.disabled = (1, False) if len(self.modes) > 1 else (0, True)  # one mode: no bar
        modebar.height = t.mm(14) if len(self.modes) > 1 else 0
        if self.mode == "handwriting":
            self.ids.pad.clear()
        Clock.schedule_once(self._prebuild, 0)

    def _button(self, label: str, action: Any, width: float, selected: bool = False, primary: bool = False,
                key: str = "", script: str | None = None) -> Button:
        t = ui().theme
        size, _ = self.sizes()
        special = key in SPECIAL and key not in WORDS  # ␣ ✕: DejaVu has them, the script fonts do not
        text = label if special else markup_runs(label, script or self.lang)
        if key in WORDS:  # OK and delete as words of the citizen's language; delete keeps its symbol
            text = markup_runs(ui().text(WORDS[key]), self.lang)
            text = f"[font=DejaVuSans]{SPECIAL['del']}[/font] {text}" if key == "del" else text
        # Tibetan letters are small for their em: drawn larger, like the other scripts' letters look
        font = t.mm(8.5 if script == "bo" else 7) * (1.2 if t.large else 1.0)
        b = Button(text=text, markup=not special, font_name="DejaVuSans" if special else "Roboto",
                   size_hint=(None, None), width=width, height=size, font_size=font, background_normal="",
                   background_color=t.color("primary") if primary or selected else t.color("secondary"),
                   color=t.color("primary_text") if primary or selected else t.color("secondary_text"))
        if key in WORDS:  # the word may be longer than the key: the key grows to fit it
            b.texture_update()
            b.width = max(width, b.texture_size[0] + t.mm(4))
        b.key_name = key
        b.bind(on_release=lambda *_: action())
        return b

    def on_candidates(self, *_: Any) -> None:
        strip = self.ids.get("strip")
        if strip is None:
            return
        strip.clear_widgets()
        t = ui().theme
        size, _ = self.sizes()
        for i, word in enumerate(self.candidates):
            b = self._button(word, lambda i=i: self.choose(i), width=size, key="candidate:" + word,
                             script=MODE_SCRIPT.get(self.mode, "en"))
            b.texture_update()  # as wide as the word (a Tibetan word is long in characters, short on screen)
            b.width = max(size, b.texture_size[0] + t.mm(4))
            strip.add_widget(b)
        strip.width = sum(c.width for c in strip.children) + strip.spacing * max(0, len(strip.children) - 1)

    def key_widget(self, key: str) -> Button:
        """The button of a key, a mode ("mode:yi") or a candidate ("candidate:<word>"): tests tap it
        in the real window."""
        boxes = [self.ids.modebar, self.ids.strip, *self.ids.keyrows.children]
        for b in (b for box in boxes for b in box.children):
            if getattr(b, "key_name", None) == key:
                return b
        raise KeyError(key)


class KeyboardScreen(KioskScreen):
    def show(self, view: Any) -> None:
        before = self.view
        super().show(view)
        kb: Keyboard = self.ids.keyboard
        data = dict(view.data) if view is not None else {}
        search = view is not None and view.kind == "search"
        kb.modes = [m for m in data.get("modes", MODES) if m in MODES] or list(MODES)
        words = list(data.get("words", ()))
        if search:  # the strip completes to what is on screen (departments, results)
            words += [ui().text(o.label) for o in view.options]
        kb.words = words
        kb.max_len = int(data.get("max_len", 64))
        # the same view again (search results came back): keep the mode the citizen chose
        again = (before is not None and view is not None and before.kind == view.kind and before.title == view.title
                 and kb.lang == ui().lang and kb.mode in kb.modes
                 and self.manager is not None and self.manager.current == self.name)  # on screen already
        if not again:
            kb.follow_language(ui().lang)
            if data.get("mode") in kb.modes:
                kb.mode = data["mode"]
        kb.text = str(data.get("query" if search else "text", ""))
        for key in data.get("keys", ()):
            kb.press(key)

    def forget(self) -> None:
        super().forget()
        self.ids.keyboard.press("clear")  # the typed text, the letters composing and the strokes

    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.emit("option", option=option_id)
        self.ids.keyboard.bind(on_submit=lambda _kb, text: self._submit(text))

    def _submit(self, text: str) -> None:
        if self.view is not None and self.view.kind == "search":
            self.emit("event", event="search", query=text)
        else:
            self.emit("event", event=(self.view.data.get("event", "text") if self.view else "text"), text=text)


load_kv(__file__)
