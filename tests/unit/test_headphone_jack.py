"""Private listening sees the headphone plug through ALSA's jack control (devices/audio/jack.py):
amixer's answer parsed as hostile input, anything unclear counted as unplugged (nothing personal
through the loudspeaker), read at most once a second. amixer is a fake here: no sound card."""
from __future__ import annotations

import logging
import subprocess

import pytest

from devices.audio.jack import AlsaJack, JackSpecError, parse_spec
from kiosk.core import config
from kiosk.core.errors import ConfigError

ON = "numid=18,iface=CARD,name='Headphone Jack'\n  ; type=BOOLEAN,access=r-------,values=1\n  : values=on\n"


class Amixer:
    def __init__(self, stdout: str = ON, code: int = 0, error: Exception | None = None):
        self.stdout, self.code, self.error, self.calls = stdout, code, error, []

    def __call__(self, cmd, **kw):
        self.calls.append(cmd)
        if self.error is not None:
            raise self.error
        return subprocess.CompletedProcess(cmd, self.code, self.stdout, "amixer: Cannot find the given element")


def test_plugged_and_unplugged_are_read_from_the_control():
    amixer, now = Amixer(), [0.0]
    jack = AlsaJack("alsa:0:Headphone Jack", run=amixer, monotonic=lambda: now[0])
    assert jack.plugged() is True
    assert amixer.calls[0] == ["amixer", "-c", "0", "cget", "iface=CARD,name=Headphone Jack"]
    amixer.stdout = ON.replace("values=on", "values=off")
    assert jack.plugged() is True and len(amixer.calls) == 1  # within a second: the cached reading
    now[0] = 1.5
    assert jack.plugged() is False and len(amixer.calls) == 2


@pytest.mark.parametrize("amixer", [
    Amixer(code=1, stdout=""),                      # no such control on this codec
    Amixer(stdout=ON + "  : values=on\n"),           # two answers: which one?
    Amixer(stdout="  : values=maybe\n"),             # not on or off
    Amixer(stdout="\x00\xff garbage"),
    Amixer(error=FileNotFoundError("amixer")),       # alsa-utils not installed
    Amixer(error=subprocess.TimeoutExpired("amixer", 2)),
], ids=["no-control", "two-values", "odd-value", "garbage", "no-amixer", "hangs"])
def test_anything_unclear_counts_as_unplugged_and_is_logged_once(amixer, caplog):
    now = [0.0]
    jack = AlsaJack("alsa:PCH:Headphone Jack", run=amixer, monotonic=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="devices.audio.jack"):
        for t in (0.0, 2.0, 4.0):
            now[0] = t
            assert jack.plugged() is False
    assert caplog.text.count("unreadable") == 1


@pytest.mark.parametrize("spec", ["", "alsa:0", "pulse:0:Headphone", "alsa:0:Head;rm -rf /", "alsa:0:" + "x" * 60])
def test_a_bad_spec_is_refused(spec):
    with pytest.raises(JackSpecError):
        parse_spec(spec)


def test_the_site_file_names_the_jack_and_a_wrong_one_is_refused_at_start(tmp_path):
    p = tmp_path / "site.toml"
    p.write_text('[speech]\nheadphone_jack = "alsa:0:Headphone Jack"\n', encoding="utf-8")
    assert config.load("demo", p).speech.headphone_jack == "alsa:0:Headphone Jack"
    p.write_text('[speech]\nheadphone_jack = "pulse:default"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        config.load("demo", p)
    assert "speech.headphone_jack" in str(e.value)
