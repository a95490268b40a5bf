"""Sample receipts (samples/receipts.json) as Documents: for review renders, the printer test
page and benchmarks. Texts live in the data file, not in code (the catalogs test forbids
Chinese, Tibetan and Yi literals in code), and carry their review status there."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from devices.printer.document import Barcode, Block, Divider, Document, Footer, Paragraph, QRCode, Row, Title

SAMPLES_FILE = Path(__file__).resolve().parent / "samples" / "receipts.json"
SOURCE_LANG = "zh_CN"


class SampleError(Exception):
    pass


@lru_cache(maxsize=4)
def load(path: Path = SAMPLES_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def names(path: Path = SAMPLES_FILE) -> list[str]:
    return list(load(path)["samples"])


class _Fill(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def build(spec: Mapping[str, Any], lang: str, *, with_zh: bool, time: str, terminal_id: str,
          params: Mapping[str, Any] | None = None) -> Document:
    """A Document from a sample spec: texts in `lang` (falling back to Chinese), with the
    Chinese beneath when `with_zh` (the kiosk's bilingual mode: Tibetan and Yi)."""
    fill = _Fill({k: str(v) for k, v in (params or {}).items()})

    def pick(value: Any) -> tuple[str, str | None]:
        if value is None:
            return "", None
        if isinstance(value, str):  # the same in every language: no Chinese line beneath
            return value.format_map(fill), None
        text = value.get(lang) or value[SOURCE_LANG]
        zh = value[SOURCE_LANG] if with_zh and lang != SOURCE_LANG and text != value[SOURCE_LANG] else None
        return text.format_map(fill), zh.format_map(fill) if zh else None

    blocks: list[Block] = []
    for b in spec["blocks"]:
        kind = b["type"]
        if kind == "title":
            blocks.append(Title(*pick(b["text"])))
        elif kind == "paragraph":
            text, zh = pick(b["text"])
            blocks.append(Paragraph(text, zh, b.get("size", "normal")))
        elif kind == "row":
            key, key_zh = pick(b["key"])
            value, value_zh = pick(b["value"])
            blocks.append(Row(key, value, key_zh, value_zh))
        elif kind == "qr":
            blocks.append(QRCode(b["data"], pick(b.get("caption"))[0] or None))
        elif kind == "barcode":
            blocks.append(Barcode(b["data"], b.get("caption")))
        elif kind == "divider":
            blocks.append(Divider())
        elif kind == "footer":
            blocks.append(Footer(time, terminal_id))
        else:
            raise SampleError(f"unknown block type {kind!r}")
    return Document(spec["kind"], lang, tuple(blocks))


def sample(name: str, lang: str, *, with_zh: bool, time: str = "2024-05-01 10:00",
           terminal_id: str = "KSK-0001", path: Path = SAMPLES_FILE) -> Document:
    data = load(path)
    if name not in data["samples"]:
        raise SampleError(f"unknown sample {name!r} (known: {', '.join(data['samples'])})")
    return build(data["samples"][name], lang, with_zh=with_zh, time=time, terminal_id=terminal_id)


def print_test(lang: str, *, with_zh: bool, width: int, time: str, terminal_id: str,
               path: Path = SAMPLES_FILE) -> Document:
    return build(load(path)["print_test"], lang, with_zh=with_zh, time=time, terminal_id=terminal_id,
                 params={"width": f"{width} dots"})
