"""A delivered callback keeps no phone number on the kiosk; other deliveries keep their record."""
from __future__ import annotations

from kiosk.core.journal import Journal


def test_a_delivered_callback_forgets_the_number(tmp_path):
    j = Journal(tmp_path / "journal.db")
    j.outbox_put("callback", {"phone": "13800138000"})
    j.outbox_put("evaluation", {"level": 5})
    items = {i["kind"]: i for i in j.outbox_due(now_wall=10**10)}
    for item in items.values():
        j.outbox_delivered(item["id"])
    rows = {r["kind"]: r["payload"] for r in j._db.execute("SELECT kind, payload FROM outbox").fetchall()}
    assert "13800138000" not in rows["callback"] and '"level": 5' in rows["evaluation"]
