"""Technician PIN: salted scrypt hash, constant-time check, lock-out on an injected clock."""
from __future__ import annotations

import argparse
import io
import sys

import pytest

from kiosk.core import techpin
from kiosk.core.techpin import PinGate, hash_pin, verify_pin

FAST = {"n": 2 ** 10}  # the gate tests check the policy, not the cost


def test_hash_format_and_verify():
    stored = hash_pin("246813")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2 ** 14), "8", "1")
    assert salt and digest and "246813" not in stored
    assert verify_pin("246813", stored)
    assert not verify_pin("246814", stored)
    assert not verify_pin("", stored) and not verify_pin("9" * 100, stored)
    assert hash_pin("246813") != stored  # salted


@pytest.mark.parametrize("pin", ["12345", "111111", "123456", "654321", "12a456", "\u0661\u0662\u0663\u0664\u0665\u0666"])
def test_weak_or_malformed_pins_are_refused(pin):
    with pytest.raises(techpin.PinFormatError):
        hash_pin(pin)


@pytest.mark.parametrize("stored", ["", "sha1$x", "scrypt$3$8$1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
                                    "scrypt$1099511627776$8$1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
                                    "scrypt$1024$8$1$!!$AAAA"])
def test_malformed_stored_hashes_are_config_errors(stored):
    with pytest.raises(techpin.PinHashError):
        verify_pin("246813", stored)
    if stored:  # an empty PIN hash is a terminal that only takes technician cards
        with pytest.raises(techpin.PinHashError):
            PinGate(stored, clock=None)


def test_lockout_after_five_failures_with_a_fake_clock(fake_clock):
    gate = PinGate(hash_pin("246813", **FAST), fake_clock, max_failures=5, lockout_s=300)
    assert [gate.try_pin("000001") for _ in range(4)] == ["wrong"] * 4
    assert gate.try_pin("000002") == "locked" and gate.seconds_left == 300
    assert gate.try_pin("246813") == "locked"  # even the right PIN, while locked
    fake_clock.advance(299)
    assert gate.try_pin("246813") == "locked" and gate.seconds_left == pytest.approx(1)
    fake_clock.advance(1)
    assert gate.seconds_left == 0 and not gate.locked
    assert gate.try_pin("246813") == "ok" and gate.failures == 0


def test_success_resets_the_count(fake_clock):
    gate = PinGate(hash_pin("246813", **FAST), fake_clock, max_failures=3, lockout_s=60)
    assert gate.try_pin("000000") == "wrong" and gate.try_pin("000000") == "wrong"
    assert gate.try_pin("246813") == "ok"
    assert gate.try_pin("000000") == "wrong" and gate.try_pin("000000") == "wrong"
    assert gate.failures == 2 and not gate.locked


def test_cli_hash_pin(monkeypatch, capsys):
    from kiosk.terminal.commands import diag as diag_cli

    parser = argparse.ArgumentParser(prog="kiosk")
    diag_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["tech", "hash-pin"])
    monkeypatch.setattr(sys, "stdin", io.StringIO("246813\n"))
    assert args.func(args) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("scrypt$") and verify_pin("246813", line)
    monkeypatch.setattr(sys, "stdin", io.StringIO("1234\n"))
    assert args.func(args) == 2
    assert "digits" in capsys.readouterr().err
