"""The baseline: a bare Kivy window with one label, measured like the kiosk (process start to
first drawn frame)."""
import os

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")

from kivy.config import Config  # noqa: E402

Config.set("graphics", "width", "1080")
Config.set("graphics", "height", "1920")

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.uix.label import Label  # noqa: E402

from kiosk.core.proctime import seconds_since_start  # noqa: E402


class Hello(App):
    def build(self):
        return Label(text="hello")

    def on_start(self):
        def flipped(*_):
            Window.unbind(on_flip=flipped)
            print(f"first_frame_s={seconds_since_start():.3f}", flush=True)
            self.stop()

        Clock.schedule_once(lambda dt: Window.bind(on_flip=flipped), 0)


Hello().run()
