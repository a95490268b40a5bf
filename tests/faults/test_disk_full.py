"""Issue 14 #1: a full disk at the end of a session. The wipe comes first and always; then the
journal; a kiosk that cannot journal says so on screen and to the technician, serves nobody
blind, and is back in service once the disk has room again."""
from __future__ import annotations

from tests.faults.conftest import run_app


def _assert_safe(out: dict) -> None:
    assert out["wiped"], "the citizen's data survived the end of the session"
    assert out["screen"] == "start" and not out["name_on_screen"]
    assert out["notice"] == "start.out_of_service.journal" and out["offered"] == 0
    assert out["problem"].startswith("journal_unwritable")
    assert out["refused_next"], "a flow started although nothing could be journaled"
    assert out["tech_line"] == "tech.journal.problem"
    assert not out["busy_held"], "the busy lock outlived the session"


def test_a_real_full_disk_at_session_end(small_tmpfs):
    out = run_app("disk_full_at_end", small_tmpfs, "tmpfs")
    _assert_safe(out)
    assert out["after_free_problem"] is None and out["after_free_offered"] > 0  # back in service


def test_the_journal_refusing_every_write_at_session_end(tmp_path):
    """The same without a tmpfs: the journal raises what SQLite raises on a full disk."""
    _assert_safe(run_app("disk_full_at_end", tmp_path, "patch"))
