"""Structured logs: one JSON object per line, rotated by size, personal data masked first."""
from __future__ import annotations

import json
import logging

from kiosk.core import logs, privacy
from tests.ops.conftest import ID_MASKED, ID_NUMBER, LATIN_NAME, NAME, PHONE


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_json_lines_with_extras_and_masking(tmp_path):
    path = logs.setup_logging(tmp_path, stderr=False)
    assert path == tmp_path / "logs" / "kiosk.log"
    log = logging.getLogger("kiosk.test")
    log.info("card read for %s, id %s, phone %s", NAME, ID_NUMBER, PHONE, extra={"flow": "queue_ticket", "holder": NAME})
    log.warning("old id 513326900101123 and landline 0834-2223333")
    first, second = lines(path)
    assert {"ts", "level", "logger", "msg"} <= set(first)
    assert first["level"] == "INFO" and first["logger"] == "kiosk.test" and first["flow"] == "queue_ticket"
    assert NAME not in json.dumps(first, ensure_ascii=False) and ID_NUMBER not in first["msg"]
    assert ID_MASKED in first["msg"] and "138****5678" in first["msg"] and first["holder"] == "***"
    assert "513326*****1123" in second["msg"] and "900101" not in second["msg"]
    assert "0834" in second["msg"] and "2223333" not in second["msg"]
    assert "where" in second  # warnings say where they come from


def test_registered_values_are_masked_until_forgotten(tmp_path):
    path = logs.setup_logging(tmp_path, stderr=False)
    log = logging.getLogger("kiosk.test")
    privacy.register_sensitive(LATIN_NAME)
    log.info("holder %s", LATIN_NAME.upper())  # case does not help it through
    privacy.forget_sensitive(LATIN_NAME)
    log.info("holder %s", LATIN_NAME)
    masked, plain = lines(path)
    assert masked["msg"] == "holder ***"
    assert plain["msg"] == f"holder {LATIN_NAME}"  # forgotten: ordinary text again
    privacy.register_sensitive("x")  # too short to mask without masking everything
    assert len(privacy.SENSITIVE) == 0


def test_exceptions_are_type_and_frames_without_the_message(tmp_path):
    path = logs.setup_logging(tmp_path, stderr=False)
    try:
        {}[f"{NAME}:{LATIN_NAME}"]
    except KeyError:
        logging.getLogger("kiosk.test").exception("lookup failed")
    (entry,) = lines(path)
    assert entry["exc"].startswith("KeyError (message withheld)")
    assert "test_logs.py:" in entry["exc"]
    assert NAME not in entry["exc"] and LATIN_NAME not in entry["exc"]


def test_size_bounded_rotation(tmp_path):
    path = logs.setup_logging(tmp_path, stderr=False, max_bytes=2000, backup_count=2)
    log = logging.getLogger("kiosk.test")
    for i in range(200):
        log.info("line %d %s", i, "x" * 40)
    files = logs.log_files(tmp_path)
    assert [f.name for f in files] == ["kiosk.log", "kiosk.log.1", "kiosk.log.2"]
    assert all(f.stat().st_size <= 2000 + 200 for f in files)
    assert all(json.loads(line) for f in files for line in f.read_text().splitlines())
    assert path.exists()


def test_stderr_is_masked_too(tmp_path, capsys):
    logs.setup_logging(tmp_path, stderr=True)
    logging.getLogger("kiosk.test").warning("id %s", ID_NUMBER)
    err = capsys.readouterr().err
    assert ID_MASKED in err and ID_NUMBER not in err


def test_setup_is_idempotent(tmp_path):
    logs.setup_logging(tmp_path, stderr=False)
    logs.setup_logging(tmp_path, stderr=False)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_kiosk_handler", False)]
    assert len(ours) == 1


def test_written_lines_follow_the_privacy_rules(tmp_path):
    """The file handler masks with kiosk.core.privacy: a URL's password and a number written in
    groups do not reach the file (both did before the rules moved there)."""
    path = logs.setup_logging(tmp_path, stderr=False)
    logging.getLogger("kiosk.test").warning("broker mqtts://kiosk:hunter2@broker:8883 rejected, tel 138.0013.8000")
    text = path.read_text(encoding="utf-8")
    assert "hunter2" not in text and "0013" not in text and "138****8000" in text
