from __future__ import annotations

import pytest

from devices.scanner import testmaterial as material


@pytest.fixture(scope="session")
def presentation_video(tmp_path_factory):
    """(path, presentations, total frames) of the generated MJPG test video."""
    return material.presentation_video(tmp_path_factory.mktemp("video") / "presentations.avi")
