"""A help desk under uvicorn on loopback with one staff member logged in from Debian's headless
chromium (fake camera and microphone): the staff side of the video help tests."""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
PASSWORD = "correct horse battery"


@contextmanager
def staffed_desk(tmp_path: Path, user: str = "ada", languages: tuple[str, ...] = ("zh_CN", "en")) -> Iterator[Any]:
    """(server, browser): the desk running, `user` (an agent) logged in to its console."""
    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        pytest.skip("needs chromium and chromium-driver (make setup installs them)")
    from kiosk.helpdesk.server import Embedded, free_port
    from kiosk.helpdesk.staff import Directory
    from kiosk.helpdesk.webdriver import Browser

    staff = Directory(tmp_path / "staff.json")
    staff.add(user, PASSWORD, "agent", languages)
    server = Embedded(staff).start()
    browser = None
    try:
        browser = Browser(free_port(), tmp_path / "chromium-profile", media=True)
        browser.staff_login(server.url, user, PASSWORD)
        yield server, browser
    finally:
        if browser is not None:
            browser.close()
        server.close()
        shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)
