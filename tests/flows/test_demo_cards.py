"""Every ID card the demo's simulator panel offers leads somewhere real: its holder is a citizen
of the demo platform, and each flow an ID card starts finishes for each card, through the same
headless run `kiosk flow run` uses (the panel's card files, read by the real driver)."""
from __future__ import annotations

import json

import pytest

from kiosk.core import config
from kiosk.demo.headless import run_flow
from kiosk.demo.sim_rig import DEMO_CARDS, card_for, panel_card
from kiosk.demo_platform.server import SEED_PATH

ID_CARD_FLOWS = ("social_insurance_certificate", "real_estate_query", "elicense_print")


def seed() -> dict:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize("action", sorted(DEMO_CARDS))
def test_each_panel_card_is_a_citizen(action):
    card = panel_card(action)
    citizen = next((c for c in seed()["citizens"] if c["id_number"] == card["id_number"]), None)
    assert citizen is not None, f"{action}: {card['id_number']} is no citizen of the demo platform"
    assert citizen["name"]["zh_CN"] == card["name"] and citizen["birth_date"] == card["birth_date"]


def test_the_headless_demo_citizen_is_a_panel_card():
    assert card_for(seed()["demo"]["citizen"]) is not None


def test_the_panel_social_security_card_is_a_citizen():
    from devices.smartcard.virtual_card import CARDS_DIR

    # what the panel's "insert social security card" inserts (kiosk/demo/sim_rig.py _sscard)
    ssn = json.loads((CARDS_DIR / "tibetan.json").read_text(encoding="utf-8"))["ssn"]
    assert any(c["id_number"] == ssn for c in seed()["citizens"])


@pytest.mark.parametrize("action", sorted(DEMO_CARDS))
@pytest.mark.parametrize("flow_id", ID_CARD_FLOWS)
def test_id_card_flows_finish_for_each_panel_card(flow_id, action, tmp_path):
    result = run_flow(flow_id, config.load("demo"), data_dir=tmp_path / "d", receipts_dir=tmp_path / "r", card=action)
    assert result.outcome == "completed", (result.steps, result.reason)
