"""`kiosk ime candidates --mode pinyin|tibetan|yi KEYS [--json]`, `kiosk ime handwrite --strokes
FILE.json [--json]` and `kiosk guide search QUERY [--json]`: the input methods and the guide search
as a contract the CLI can check, through the same objects the on-screen keyboard and the platform's
search endpoint use.

Exit codes: 0 answered, 2 bad input, 3 the engine is not installed (the Debian package is named).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.demo_platform.server import SEED_PATH
from kiosk.demo_platform.services import DemoServices
from kiosk.ime import handwriting, tibetan, yi
from kiosk.ime.pinyin import PinyinIME

GLOSSARY = Path(__file__).resolve().parents[3] / "locales" / "glossary.tsv"


def catalog_words(lang: str, seed_path: Path = SEED_PATH) -> list[str]:
    """Titles of the catalog's departments and items and the glossary terms in one language: the
    words the Tibetan and Yi candidate strips complete to."""
    seed = json.loads(seed_path.read_text(encoding="utf-8"))
    words = []
    for dept in seed.get("departments", []):
        words.append(dept["title"].get(lang, ""))
        words += [item["title"].get(lang, "") for item in dept.get("items", [])]
    if GLOSSARY.exists():
        with GLOSSARY.open(encoding="utf-8") as f:
            words += [row.get(lang) or "" for row in csv.DictReader(f, delimiter="\t")]
    return [w for w in words if w]


def _print(args: argparse.Namespace, payload: dict[str, Any], plain: list[str]) -> None:
    if args.json:
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(" ".join(plain))


def cmd_candidates(args: argparse.Namespace) -> int:
    engine = args.mode
    if args.mode == "pinyin":
        ime = PinyinIME(args.rime_dir)
        found = ime.candidates(args.keys, args.limit)
        engine = ime.available_engine
    elif args.mode == "tibetan":
        found = tibetan.TibetanIME(catalog_words("bo")).candidates(args.keys, args.limit)
    else:
        found = yi.YiIME(catalog_words("ii")).candidates(args.keys, args.limit)
    _print(args, {"mode": args.mode, "keys": args.keys, "engine": engine, "candidates": found}, found)
    return 0


def cmd_handwrite(args: argparse.Namespace) -> int:
    try:
        strokes = handwriting.validate(json.loads(Path(args.strokes).read_text(encoding="utf-8")))
    except (OSError, ValueError) as e:
        print(f"kiosk ime handwrite: {e}", file=sys.stderr)
        return 2
    try:
        rec = handwriting.Recognizer()
    except handwriting.HandwritingUnavailable as e:
        print(f"kiosk ime handwrite: {e}", file=sys.stderr)
        return 3
    found = rec.classify(strokes, args.limit)
    _print(args, {"strokes": len(strokes), "candidates": found}, found)
    return 0


def cmd_guide_search(args: argparse.Namespace) -> int:
    seed = json.loads(Path(args.seed).read_text(encoding="utf-8"))
    services = DemoServices(seed, lambda: "http://127.0.0.1", lambda: "")
    if len(args.query) > 64:
        print("kiosk guide search: the query is longer than 64 characters", file=sys.stderr)
        return 2
    _, reply = services.post("/api/v1/guides/search", {"query": args.query}, "")
    ids = [g["id"] for g in reply["guides"]]
    _print(args, {"query": args.query, "guides": ids}, ids)
    return 0


def register(sub: Any) -> None:  # argparse._SubParsersAction
    p = sub.add_parser("ime", help="input methods: candidates for keys or strokes")
    isub = p.add_subparsers(dest="ime_command", required=True)
    q = isub.add_parser("candidates", help="the candidate list for a key sequence")
    q.add_argument("--mode", choices=("pinyin", "tibetan", "yi"), required=True)
    q.add_argument("keys", help="pinyin letters; Tibetan keys by QWERTY position (m = stack); Yi romanisation")
    q.add_argument("--limit", type=int, default=10)
    q.add_argument("--rime-dir", type=Path, default=None, help="librime user dir (default ~/.cache/kiosk/rime)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_candidates)
    q = isub.add_parser("handwrite", help="handwriting candidates for strokes ([[x, y], ...] in a 0-1000 box)")
    q.add_argument("--strokes", required=True, help="JSON file: a list of strokes, each a list of [x, y]")
    q.add_argument("--limit", type=int, default=10)
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_handwrite)

    p = sub.add_parser("guide", help="service guides")
    gsub = p.add_subparsers(dest="guide_command", required=True)
    q = gsub.add_parser("search", help="ranked guide ids for a query (the platform's search endpoint)")
    q.add_argument("query")
    q.add_argument("--seed", default=str(SEED_PATH), help="catalog seed (default: the bundled demo seed)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_guide_search)
