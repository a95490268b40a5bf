"""Every flow, run to its end headless with the demo citizen through the real devices' code paths
(ID card read by the real driver from the simulator, receipts printed over ESC/POS to the
emulator): the citizen's name, ID number, address and what masking hides appear in no log line
(DEBUG included), in no byte of the journal file, no journal table, no outbox payload, no file
under the data directory, and on no screen."""
from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest
from tests.support.flowkit import CONFIG, SEED, TRANSLATOR, secrets_of

from kiosk.demo.headless import run_flow
from flows.registry import FLOWS


def needles() -> list[str]:
    found = secrets_of(SEED["demo"]["citizen"]) + ["\u793a\u8303\u67512\u7ec415\u53f7"]  # the unmasked tail of the property's location
    return sorted(set(found), key=len, reverse=True)


def encodings(text: str) -> list[bytes]:
    """How a text could sit in a file: UTF-8, JSON-escaped, UTF-16 (SQLite may use it)."""
    return [text.encode("utf-8"), json.dumps(text)[1:-1].encode("ascii"), text.encode("utf-16-le")]


def leaks(blob: bytes, where: str) -> list[str]:
    return [f"{where}: {needle!r}" for needle in needles() for enc in encodings(needle) if enc in blob]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):  # noqa: ANN001, ANN201
    """All seven flows on one data directory, logging captured at DEBUG from every logger."""
    data = tmp_path_factory.mktemp("kiosk-data")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    root = logging.getLogger()
    handler, old_level = Keep(level=logging.DEBUG), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    screens: list[str] = []

    def seen(step: str, view) -> None:  # noqa: ANN001
        for lang in ("zh_CN", "bo"):
            parts = [view.title, view.body, *(o.label for o in view.options), *(o.detail for o in view.options)]
            parts += [t for row in view.data.get("rows", ()) for t in row]
            screens.extend(TRANSLATOR.text(p, lang) for p in parts if p is not None)

    try:
        results = {fid: run_flow(fid, CONFIG, data_dir=data, receipts_dir=data / "receipts", on_step=seen)
                   for fid in FLOWS}
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    return results, records, data, screens


def test_every_flow_completed_and_printed_through_the_real_path(runs):
    results, _, data, _ = runs
    for fid, r in results.items():
        assert r.outcome == "completed", (fid, r.reason)
    printed = [fid for fid, r in results.items() if r.receipt is not None]
    assert set(printed) == {"social_insurance_certificate", "real_estate_query", "service_guide", "queue_ticket",
                            "elicense_print"}
    assert all(Path(results[f].receipt).is_file() for f in printed)


def test_no_personal_data_in_the_logs(runs):
    _, records, _, _ = runs
    assert len(records) > 20  # the capture works: the run logs plenty at DEBUG
    problems = []
    for rec in records:
        text = rec.getMessage() + (logging.Formatter().formatException(rec.exc_info) if rec.exc_info else "")
        problems += leaks(text.encode("utf-8"), f"log {rec.name}")
    assert problems == []


def test_no_personal_data_in_the_journal_file_or_its_tables(runs):
    _, _, data, _ = runs
    db = data / "journal.sqlite3"
    problems = []
    for path in data.glob("journal.sqlite3*"):
        problems += leaks(path.read_bytes(), path.name)
    con = sqlite3.connect(db)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert {"sessions", "print_jobs", "evaluations", "outbox"} <= set(tables)
        for table in tables:
            for row in con.execute(f"SELECT * FROM {table}"):  # noqa: S608 - names from sqlite_master
                problems += leaks(repr(row).encode("utf-8") + "|".join(map(str, row)).encode("utf-8"), table)
        payloads = [json.loads(p) for (p,) in con.execute("SELECT payload FROM outbox")]
        sessions = con.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    finally:
        con.close()
    assert problems == []
    assert sessions == len(FLOWS)
    kinds = {p.get("flow") for p in payloads if "level" in p}
    assert {"social_insurance_certificate", "real_estate_query", "elicense_print", None} <= kinds
    for p in payloads:
        assert not leaks(json.dumps(p, ensure_ascii=False).encode("utf-8"), "outbox payload")


def test_no_personal_data_in_any_file_under_the_data_dir(runs):
    _, _, data, _ = runs
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.suffix == ".png" for p in files)
    problems = []
    for path in files:
        problems += leaks(path.read_bytes(), str(path.relative_to(data)))
    assert problems == []


def test_screens_show_the_citizen_masked_only(runs):
    _, _, _, screens = runs
    shown = "\n".join(screens)
    demo = SEED["demo"]["citizen"]  # the headless run's citizen: the panel's Tibetan card
    name = next(c for c in SEED["citizens"] if c["id_number"] == demo)["name"]["zh_CN"]
    assert f"{demo[:6]}********{demo[-4:]}" in shown and f"{name[0]}***" in shown  # masked forms are there
    assert leaks(shown.encode("utf-8"), "screen") == []
