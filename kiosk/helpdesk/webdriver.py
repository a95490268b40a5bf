"""A minimal W3C WebDriver client over `requests` for Debian's chromium + chromedriver: the few
calls the browser test needs, every one with a timeout (no extra dependency)."""
from __future__ import annotations

import base64
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C web element key
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--window-size=1280,1000"]
# A staff member's camera and microphone: chromium's fake devices, allowed without a prompt.
MEDIA_FLAGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


class Browser:
    def __init__(self, port: int, profile: Path, chromium: str = "/usr/bin/chromium",
                 driver: str = "/usr/bin/chromedriver", media: bool = False) -> None:
        """media: with the fake camera and microphone (a help desk's staff member)."""
        self.proc = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                requests.get(f"{self.base}/status", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    self.proc.kill()
                    raise
                time.sleep(0.05)
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium, "args": [*FLAGS, *(MEDIA_FLAGS if media else []), f"--user-data-dir={profile}"]}}}}
        self.sid = self._call("POST", "/session", caps, timeout=30)["sessionId"]  # W3C: inside "value"

    def _call(self, method: str, path: str, body: Any = None, timeout: float = 15) -> Any:
        r = requests.request(method, self.base + path, json=body, timeout=timeout)
        data = r.json()
        if r.status_code >= 400:
            raise RuntimeError(f"webdriver {path}: {data.get('value', data)}")
        return data.get("value")

    def s(self, method: str, path: str, body: Any = None) -> Any:
        return self._call(method, f"/session/{self.sid}{path}", body)

    def get(self, url: str) -> None:
        self.s("POST", "/url", {"url": url})

    def find(self, css: str) -> str:
        return self.s("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def type(self, css: str, text: str) -> None:
        self.s("POST", f"/element/{self.find(css)}/value", {"text": text})

    def click(self, css: str) -> None:
        self.s("POST", f"/element/{self.find(css)}/click", {})

    def js(self, script: str, *args: Any) -> Any:
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def text(self, css: str) -> str:
        return self.js("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css) or ""

    def wait(self, script: str, timeout: float, *args: Any) -> float:
        """Poll a JS condition (bounded); returns the seconds it took."""
        t0 = time.monotonic()
        while not self.js(script, *args):
            if time.monotonic() - t0 > timeout:
                raise AssertionError(f"browser: not true within {timeout} s: {script}")
            time.sleep(0.1)
        return time.monotonic() - t0

    def staff_login(self, desk_url: str, user: str, password: str) -> None:
        """Log in to the video help desk's console and wait until its queue socket is up."""
        self.get(desk_url + "/login")
        self.type("#user", user)
        self.type("#password", password)
        self.click("#login")
        self.wait("return window.HELPDESK && window.HELPDESK.connected === true", 10)

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self.s("GET", "/screenshot")))

    def close(self) -> None:
        try:
            self._call("DELETE", f"/session/{self.sid}", timeout=10)
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
