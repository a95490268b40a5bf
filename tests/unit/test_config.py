from __future__ import annotations

import pytest

from kiosk.core import config
from kiosk.core.config import ConfigError


def write(tmp_path, text: str):
    p = tmp_path / "site.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_demo_profile_loads_with_typed_values():
    cfg = config.load("demo")
    assert cfg.profile == "demo"
    assert cfg.terminal.window == (1080, 1920)
    assert isinstance(cfg.terminal.dpi, float)
    assert cfg.platform.url == "embedded://"
    assert cfg.terminal.languages == ("zh_CN", "bo", "ii", "en")


def test_site_file_overrides_profile(tmp_path):
    p = write(tmp_path, 'profile = "demo"\n[terminal]\nid = "ganzi-luhuo-03"\n[timeouts]\nidle_s = 90\n')
    cfg = config.load(None, p)
    assert cfg.terminal.id == "ganzi-luhuo-03"
    assert cfg.timeouts.idle_s == 90.0
    assert cfg.terminal.dpi == 102.0  # from the profile


@pytest.mark.parametrize("body, key, words", [
    ('[timeouts]\nidle_s = "soon"\n', "timeouts.idle_s", "expected a number"),
    ('[terminal]\nwindow = [1080]\n', "terminal.window", "expected 2 values"),
    ('[terminal]\nlanguges = ["bo"]\n', "terminal.languges", "unknown key"),
    ('[terminal]\nlanguages = ["bo", "xx"]\ndefault_language = "bo"\n', "terminal.languages", "unknown language"),
    ('[terminal]\ndefault_language = "en"\nlanguages = ["zh_CN", "bo"]\n', "terminal.default_language", "not in"),
    ('[timeouts]\nidle_grace_s = 5\n', "timeouts.idle_grace_s", "at least 20 s"),
    ('[platform]\nurl = "ftp://x"\n', "platform.url", "expected http"),
    ('[platform]\nretries = true\n', "platform.retries", "expected an integer"),
    ('terminal = 3\n', "terminal", "expected a table"),
    ('[[videohelp.ice_servers]]\nurls = ["http://turn.example"]\n', "videohelp.ice_servers[0].urls[0]", "turns:"),
    ('[[videohelp.ice_servers]]\nurls = ["stun:x.example"]\npassword = "p"\n', "videohelp.ice_servers[0].password",
     "unknown key"),
])
def test_bad_config_names_file_and_key(tmp_path, body, key, words):
    p = write(tmp_path, body)
    with pytest.raises(ConfigError) as e:
        config.load("demo", p)
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith(str(p) + ": " + key + ": ")
    assert words in msg


def test_broken_toml_and_missing_file(tmp_path):
    p = write(tmp_path, "[terminal\nid=1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load("demo", p)
    with pytest.raises(ConfigError, match="file not found"):
        config.load("demo", tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="no profile 'nosuch'"):
        config.load("nosuch")


def test_cli_prints_one_line_for_bad_config(tmp_path, capsys):
    from kiosk.terminal.cli import main

    p = write(tmp_path, '[timeouts]\nidle_s = "x"\n')
    assert main(["render", "--config", str(p), "--screen", "start", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "timeouts.idle_s" in err[0] and "Traceback" not in err[0]


def test_fleet_table_is_checked_with_one_line_errors(tmp_path):
    p = write(tmp_path, '[fleet]\nbroker_host = "mqtt.example"\nbroker_port = 99999\n')
    with pytest.raises(ConfigError, match=r"fleet.broker_port: 99999 is out of range \(must be <= 65535\)"):
        config.load("demo", p)
    p = write(tmp_path, '[fleet]\nbroker_host = "mqtt.example"\ntls = false\n')
    cfg = config.load("demo", p)
    assert cfg.fleet_config.broker_host == "mqtt.example" and cfg.fleet_config.tls is False


# -- issue 14 finding 10: nan, inf, negative values and formats, every bad key at once ---------------
@pytest.mark.parametrize("body, key, words", [
    ('[timeouts]\nidle_s = nan\n', "timeouts.idle_s", "not a finite number"),
    ('[timeouts]\nidle_s = inf\n', "timeouts.idle_s", "not a finite number"),
    ('[timeouts]\nidle_s = -inf\n', "timeouts.idle_s", "not a finite number"),
    ('[timeouts]\nidle_grace_s = nan\n', "timeouts.idle_grace_s", "not a finite number"),
    ('[timeouts]\nresult_s = -5\n', "timeouts.result_s", "-5 is out of range"),
    ('[timeouts]\nidle_s = 0\n', "timeouts.idle_s", "0 is out of range (must be > 0)"),
    ('[platform]\nbackoff_s = -1\n', "platform.backoff_s", "-1 is out of range (must be >= 0)"),
    ('[platform]\nbackoff_s = nan\n', "platform.backoff_s", "not a finite number"),
    ('[platform]\nread_timeout_s = inf\n', "platform.read_timeout_s", "not a finite number"),
    ('[platform]\nretries = 100000000000000000000000\n', "platform.retries", "out of range"),
    ('[terminal]\ndpi = nan\n', "terminal.dpi", "not a finite number"),
    ('[terminal]\nstaffed_hours = "9-5"\n', "terminal.staffed_hours", "expected HH:MM-HH:MM"),
    ('[terminal]\nstaffed_hours = "17:30-09:00"\n', "terminal.staffed_hours", "end must be after the start"),
    ('[terminal]\nwindow = [1080, 100]\n', "terminal.window[1]", "100 is out of range"),
    ('[fleet]\ntelemetry_interval_s = nan\n', "fleet.telemetry_interval_s", "not a finite number"),
    ('[fleet]\nhealth_timeout_s = -1.0\n', "fleet.health_timeout_s", "out of range"),
])
def test_non_finite_negative_and_malformed_values_are_refused(tmp_path, body, key, words):
    # Before the decoder, each of these loaded (nan/inf idle timeout: no walk-away wipe; backoff -1:
    # a traceback in the platform client) or, for the huge integer, passed as a Python int.
    p = write(tmp_path, body)
    with pytest.raises(ConfigError) as e:
        config.load("demo", p)
    assert str(e.value).startswith(f"{p}: {key}: "), str(e.value)
    assert words in str(e.value)


def test_every_bad_key_is_reported_at_once(tmp_path):
    p = write(tmp_path, '[terminal]\nstaffed_hours = "9-5"\nlanguges = ["bo"]\n'
                        '[timeouts]\nidle_s = nan\nprint_s = -1\n[platform]\nbackoff_s = -1\n'
                        '[fleet]\nbroker_port = 0\npilot_percent = 101\n')
    with pytest.raises(ConfigError) as e:
        config.load("demo", p)
    lines = str(e.value).splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "terminal.staffed_hours", "terminal.languges", "timeouts.idle_s", "timeouts.print_s",
        "platform.backoff_s", "fleet.broker_port", "fleet.pilot_percent"]
    assert all(line.startswith(f"{p}: ") for line in lines)
    assert e.value.key == "terminal.staffed_hours" and len(e.value.errors) == 7


def test_a_bad_key_gets_one_line_not_a_second_from_the_cross_checks(tmp_path):
    p = write(tmp_path, '[terminal]\nlanguages = 3\n')
    with pytest.raises(ConfigError) as e:
        config.load("demo", p)
    assert str(e.value) == f"{p}: terminal.languages: expected a list, got number"


def test_kiosk_run_builds_only_the_commands_it_needs():
    """`kiosk run` is every boot's path to the first frame: it must not import the device,
    IME, voice and update command modules (~0.4 s); every other command still gets them."""
    import subprocess
    import sys

    code = ("import sys; from kiosk.terminal import cli; a = cli.build_parser(full=False).parse_args("
            "['run', '--profile', 'demo', '--startup-probe']); assert a.startup_probe; "
            "print(sorted(m for m in sys.modules if m.startswith('kiosk.terminal.commands')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]", out.stdout
    code = ("import sys; from kiosk.terminal import cli; cli.build_parser(); "
            "print('kiosk.terminal.commands.ime' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "True"


def test_the_kiosks_turn_servers_reach_its_video_help_client(tmp_path):
    """deploy/README.md: a hall that blocks UDP reaches the staff through TURN over TLS on 443."""
    from kiosk.terminal.video_desk import client_options

    p = write(tmp_path, '[videohelp]\nurl = "https://desk.example"\ntoken = "t"\n'
                        '[[videohelp.ice_servers]]\nurls = ["turns:turn.example.gov.cn:443?transport=tcp", '
                        '"turn:turn.example.gov.cn:3478"]\nusername = "kiosk"\ncredential = "s3cret"\n'
                        '[[videohelp.ice_servers]]\nurls = ["stun:stun.example.gov.cn"]\n')
    cfg = config.load("demo", p)
    assert client_options(cfg.videohelp) == {"token": "t", "ice_servers": (
        {"urls": ["turns:turn.example.gov.cn:443?transport=tcp", "turn:turn.example.gov.cn:3478"],
         "username": "kiosk", "credential": "s3cret"},
        {"urls": ["stun:stun.example.gov.cn"]})}
    assert client_options(config.load("demo").videohelp) == {}
