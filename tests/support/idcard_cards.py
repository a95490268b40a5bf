"""Shared by the ID card tests (plain module: conftest names collide across test folders)."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CARDS_DIR = ROOT / "devices" / "idcard" / "cards"
CARD_FILES = sorted(p.name for p in CARDS_DIR.glob("*.json"))


def load_card(name: str) -> dict:
    return json.loads((CARDS_DIR / name).read_text(encoding="utf-8"))


def no_sleep(seconds: float) -> None:
    pass
