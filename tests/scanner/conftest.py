from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # `import material` from the tests and the bench

import material  # noqa: E402


@pytest.fixture(scope="session")
def presentation_video(tmp_path_factory):
    """(path, presentations, total frames) of the generated MJPG test video."""
    return material.presentation_video(tmp_path_factory.mktemp("video") / "presentations.avi")
