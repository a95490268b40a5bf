"""One kiosk per data directory: a second `kiosk run` says why in one line and exits 2."""
from __future__ import annotations

import os

import pytest

from kiosk.core.busy import AlreadyRunning, take_instance_lock


def test_a_second_holder_is_refused_and_told_the_first_ones_pid(tmp_path):
    fd = take_instance_lock(tmp_path)
    try:
        with pytest.raises(AlreadyRunning) as e:
            take_instance_lock(tmp_path)
        assert e.value.pid == str(os.getpid()) and str(tmp_path) in str(e.value)
    finally:
        os.close(fd)  # the process ending does the same: the kernel drops the lock
    os.close(take_instance_lock(tmp_path))  # free again; a stale file means nothing


def test_kiosk_run_exits_with_one_line_while_another_holds_the_data_directory(tmp_path, capsys):
    from kiosk.terminal.cli import main

    site = tmp_path / "site.toml"
    site.write_text(f'profile = "demo"\n[terminal]\ndata_dir = "{tmp_path / "data"}"\n')
    fd = take_instance_lock(tmp_path / "data")
    try:
        assert main(["run", "--config", str(site)]) == 2
    finally:
        os.close(fd)
    err = capsys.readouterr().err.strip()
    assert err.startswith("kiosk: another kiosk is already running") and "\n" not in err
