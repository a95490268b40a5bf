from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.i18n import voice_audio as audio
from kiosk.i18n.translator import LOCALES_DIR


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    """A copy of the catalogs only (no clips): a terminal's locales/ that tests may edit."""
    root = tmp_path / "locales"
    for lang in ("zh_CN", "bo", "ii", "en"):
        shutil.copytree(LOCALES_DIR / lang / "LC_MESSAGES", root / lang / "LC_MESSAGES")
    return root


def speech_like_wav(path: Path, seconds: float = 0.8, lead: float = 0.7, level: float = 0.05) -> Path:
    """A voiced stretch (a 180 Hz tone with a 4 Hz syllable envelope) between quiet silences."""
    return audio.write_wav(audio.speech_like(seconds, lead, level), path)


@pytest.fixture
def take_wav(tmp_path: Path) -> Path:
    return speech_like_wav(tmp_path / "take.wav")
