"""The terminal's own camera, microphone and loudspeaker for a call ([videohelp] camera,
microphone, speaker): opened through aiortc's MediaPlayer / MediaRecorder with the devices and
formats asked, only when the call starts; a device that fails leaves the call going with the
synthetic stand-in and a log line that names it. The devices themselves are what cannot run here
(no camera or sound card): the player and recorder are fakes that record how they were opened."""
from __future__ import annotations

import logging

import pytest

from kiosk.core import config
from kiosk.core.errors import ConfigError
from kiosk.terminal.video_desk import client_options
from kiosk.videohelp.hardware import CallMedia
from kiosk.videohelp.media import SyntheticCamera, ToneTrack


class Opened:
    def __init__(self, log: list, fail: set[str]):
        self.log, self.fail = log, fail

    def __call__(self, file, format=None, options=None):  # noqa: A002 - aiortc's own names
        self.log.append((file, format, options))
        if format in self.fail:
            raise OSError(f"cannot open {file}")
        return type("Player", (), {"video": f"video:{file}", "audio": f"audio:{file}"})()


def test_the_devices_are_opened_as_asked():
    opened: list = []
    media = CallMedia("/dev/video0", "alsa:default", "alsa:hw:0", player=Opened(opened, set()),
                      recorder=Opened(opened, set()))
    assert media.sources() == ("video:/dev/video0", "audio:default")
    assert media.speaker_sink() is not None
    assert opened == [("/dev/video0", "v4l2", {"video_size": "640x480", "framerate": "15"}),
                      ("default", "alsa", {"channels": "1", "sample_rate": "48000"}),
                      ("hw:0", "alsa", None)]


def test_a_device_that_fails_leaves_the_call_with_the_stand_in(caplog):
    opened: list = []
    media = CallMedia("/dev/video0", "alsa:default", "alsa:default", player=Opened(opened, {"v4l2", "alsa"}),
                      recorder=Opened(opened, {"alsa"}))
    with caplog.at_level(logging.ERROR, logger="kiosk.videohelp.hardware"):
        camera, microphone = media.sources()
        speaker = media.speaker_sink()
    assert isinstance(camera, SyntheticCamera) and isinstance(microphone, ToneTrack) and speaker is None
    text = caplog.text
    assert "/dev/video0 cannot be opened" in text and "alsa:default cannot be opened" in text


def test_the_demo_keeps_its_synthetic_media():
    media = CallMedia()
    camera, microphone = media.sources()
    assert isinstance(camera, SyntheticCamera) and isinstance(microphone, ToneTrack)
    assert media.speaker_sink() is None
    assert "media" not in client_options(config.load("demo").videohelp)


def test_the_site_file_names_the_devices(tmp_path):
    p = tmp_path / "site.toml"
    p.write_text('[videohelp]\nurl = "https://desk.example"\ncamera = "/dev/video0"\n'
                 'microphone = "alsa:default"\nspeaker = "alsa:default"\n', encoding="utf-8")
    media = client_options(config.load("demo", p).videohelp)["media"]
    assert (media.camera, media.microphone, media.speaker) == ("/dev/video0", "alsa:default", "alsa:default")


@pytest.mark.parametrize("key, value", [("camera", "/etc/passwd"), ("microphone", "alsa:$(reboot)"),
                                        ("speaker", "pulse:x")])
def test_a_wrong_device_is_refused_at_start(tmp_path, key, value):
    p = tmp_path / "site.toml"
    p.write_text(f'[videohelp]\n{key} = "{value}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        config.load("demo", p)
    assert f"videohelp.{key}" in str(e.value)
