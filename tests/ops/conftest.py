"""Fixtures for the 24-hour operation tests: configs built in code (so they do not depend on
which device keys kiosk/core/config.py knows yet), and a clean logging state around every test."""
from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

# A citizen who must never show up anywhere: a Han name (as escapes: no such literals in code),
# an 18-digit ID number with its masked form, a mobile number, and a Latin-script name.
NAME = "\u5f20\u4e09\u4e30"
ID_NUMBER = "51332619900101123X"
ID_MASKED = "513326********123X"
PHONE = "13812345678"
LATIN_NAME = "Tenzin Norbu Lhamo"


def make_config(data_dir: Path, platform_url: str = "embedded://", **devices: str) -> Any:
    from kiosk.core import config

    cfg = config.load(None)
    plat = dataclasses.replace(cfg.platform, url=platform_url, connect_timeout_s=1.0, read_timeout_s=2.0)
    term = dataclasses.replace(cfg.terminal, data_dir=str(data_dir), id="test-0042")
    keys = {"printer": "none", "idcard": "none", "sscard": "none", "scanner": "none"} | devices
    return dataclasses.replace(cfg, terminal=term, platform=plat, devices=SimpleNamespace(**keys))


@pytest.fixture
def config_for(tmp_path):
    def build(**devices: str) -> Any:
        return make_config(tmp_path / "data", **devices)

    return build


@pytest.fixture(autouse=True)
def clean_logging():
    from kiosk.core import logs, privacy

    root = logging.getLogger()
    level = root.level
    yield
    logs.remove_handlers(root)
    privacy.forget_all_sensitive()
    root.setLevel(level)
