"""The window's content: a bar with language / large text / help / read aloud / video help on top
(every screen), the current screen, a bar with cancel and the 24-hour status line at the bottom,
and the idle overlay above all of it. Screens report intents; the app decides what they mean."""
from __future__ import annotations

from typing import Any, Callable

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from screens.base import load_kv
from screens.idle_warning import IdleWarning
from screens.registry import SCREENS, VIEW_SCREENS

CORNER_TAPS, CORNER_WINDOW_S = 5, 3.0
# A view that offers one of these already has the way home: the bar's cancel would be a second,
# red one beside it (issue 15: "取消" stayed after success next to "完成" and "返回首页").
HOME_OPTIONS = frozenset({"done", "home", "ok"})
# A staff member points at an option by its id, or at a part of the screen as "area:<name>" with
# <name> one of AREAS (the help desk console's "point at" buttons); an unknown name marks nothing.
AREA = "area:"
AREAS = ("content", "actions", "topbar", "bottombar")


class LazyScreens(dict):
    """name -> screen, built and added to the manager the first time it is asked for."""

    def __init__(self, manager: ScreenManager, intent: Callable[..., None]) -> None:
        super().__init__()
        self.manager, self.intent = manager, intent
        self.names = SCREENS

    def __missing__(self, name: str) -> Any:
        screen = self.names[name]()
        screen.intent = self.intent
        self[name] = screen
        self.manager.add_widget(screen)
        return screen

    def __contains__(self, name: object) -> bool:
        return name in self.names


class KioskRoot(FloatLayout):
    cancel_visible = BooleanProperty(False)
    bar_height = NumericProperty(0)  # all top-bar buttons as tall as the tallest
    cancel_enabled = BooleanProperty(True)
    status_text = ObjectProperty(None, allownone=True)
    videohelp_on = BooleanProperty(False)  # the terminal has a help desk: the bar offers video help
    sim_room = NumericProperty(0)  # demo profile: the bottom bar's room for the simulator's tab
    call_phase = StringProperty("off")     # the video help call's phase (kiosk/videohelp/session.py)
    marked = StringProperty("")            # the option ("area:<name>": the part of the screen) the staff member points at
    intent: Callable[..., None] = staticmethod(lambda name, **data: None)

    def __init__(self, intent: Callable[..., None], monotonic: Callable[[], float], **kw: Any) -> None:
        self.intent = intent
        self._monotonic = monotonic
        self._corner_taps: list[float] = []
        super().__init__(**kw)
        self.manager: ScreenManager = self.ids.manager
        for button in self.ids.topbar.children:
            button.fbind("natural_height", self._even_bar)
        self._even_bar()
        self.manager.transition = NoTransition()
        # Screens are built on first use: the start screen draws sooner, the rest costs nothing
        # until a citizen needs it.
        self.screens = LazyScreens(self.manager, self._screen_intent)
        self.screens["start"]
        self.sim_panel: Any = None
        self.idle = IdleWarning()
        self.idle.on_continue = lambda: self.intent("idle_continue")
        # An exception escaping Kivy's event dispatch ends in the failsafe, not in a black screen.
        from screens import crash_guard

        crash_guard.install(lambda error: self.intent("crash", error=error), monotonic)

    def _even_bar(self, *_: Any) -> None:
        self.bar_height = max(b.natural_height for b in self.ids.topbar.children)

    def _screen_intent(self, name: str, **data: Any) -> None:
        self.intent(name, **data)

    @property
    def current(self) -> str:
        return self.manager.current

    def show_screen(self, name: str) -> Any:
        screen = self.screens[name]
        self.manager.current = name
        self.cancel_visible = name not in ("start", "done", "video_help")  # the call has its own buttons
        return screen

    def forget_views(self) -> None:
        """After the session wipe: every screen built so far drops what it showed (the masked
        name, ID and document numbers of the citizen just gone), the one on screen included; the
        caller shows the next screen right after."""
        for screen in list(self.screens.values()):
            screen.forget()

    def show_view(self, view: Any) -> Any:
        screen = self.screens[VIEW_SCREENS[view.kind]]
        screen.show(view)
        self.show_screen(screen.name)
        self.cancel_enabled = bool(view.cancelable)
        if any(o.id in HOME_OPTIONS for o in view.options):
            self.cancel_visible = False
        return screen

    def on_marked(self, *_: Any) -> None:
        self.place_mark()

    def place_mark(self) -> None:
        """A frame around the control the staff member points at, on the citizen's own screen.
        Placed over the root (it takes no touch); hidden when that control is not on screen."""
        mark = self.ids.mark
        target = None
        if self.marked.startswith(AREA):
            target = self._area(self.marked[len(AREA):])
        elif self.marked:
            target = next((w for w in self.manager.current_screen.walk(restrict=True)
                           if getattr(w, "option_id", None) == self.marked and w.opacity > 0
                           and w.get_root_window() is not None), None)
        if target is None:
            mark.opacity = 0
            return
        from screens.ui import ui

        pad = ui().theme.mm(2.4)
        x, y = target.to_window(target.x, target.y)
        mark.pos = (x - pad, y - pad)
        mark.size = (target.width + 2 * pad, target.height + 2 * pad)
        mark.opacity = 1

    def _area(self, name: str) -> Any:
        """A part of the screen the staff member points at (AREAS): the
        bars are the root's; the content and the buttons are each citizen screen's `content` and
        `options` (every screen that shows a view has both)."""
        if name not in AREAS:
            return None
        if name in ("topbar", "bottombar"):
            return self.ids[name]
        ids = self.manager.current_screen.ids
        widget = ids.get({"content": "content", "actions": "options"}.get(name, ""))
        return widget if widget is not None and widget.opacity > 0 and widget.height > 0 else None

    def add_sim_panel(self) -> None:
        """Demo profile only: the simulator drawer, above the screens, below the idle warning."""
        from screens.sim_panel import TAB_MM, SimPanel
        from screens.ui import ui

        self.sim_panel = SimPanel()
        self.sim_panel.intent = self.intent
        self.add_widget(self.sim_panel)
        # The tab stands in the bottom bar, left of the technician's corner (a square of the
        # bar's height, where no control is); the status line keeps the rest.
        self.sim_room = ui().theme.mm(TAB_MM) + ui().theme.bar

    def show_idle(self, seconds_left: float) -> None:
        self.idle.seconds_left = max(0, int(round(seconds_left)))
        if self.idle.parent is None:
            self.add_widget(self.idle)

    def hide_idle(self) -> None:
        if self.idle.parent is not None:
            self.remove_widget(self.idle)

    @property
    def idle_shown(self) -> bool:
        return self.idle.parent is not None

    def on_touch_down(self, touch: Any) -> bool:
        self.intent("touch")
        # The hidden technician gesture: five taps within three seconds in the bottom-right
        # corner, the end of the status line, where no control is (the top-left corner was the
        # language button: every tap there also opened the chooser).
        corner = self.ids.bottombar.height
        if touch.x > self.right - corner and touch.y < self.y + corner:
            now = self._monotonic()
            self._corner_taps = [t for t in self._corner_taps if now - t < CORNER_WINDOW_S] + [now]
            if len(self._corner_taps) >= CORNER_TAPS:
                self._corner_taps.clear()
                self.intent("technician")
        return super().on_touch_down(touch)


load_kv(__file__)
