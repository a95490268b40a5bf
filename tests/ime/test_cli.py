"""The CLI contract: `kiosk ime candidates`, `kiosk ime handwrite`, `kiosk guide search`."""
from __future__ import annotations

import json

import pytest

from kiosk.ime.handwriting import SAMPLE_YI
from kiosk.terminal.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip().startswith("{") else out), err


def test_pinyin_candidates(capsys, pinyin_ime, tmp_path):
    code, out, _ = run(capsys, "ime", "candidates", "--mode", "pinyin", "sfz", "--json")
    assert code == 0 and out["candidates"][0] == "身份证" and out["engine"] == "librime"


def test_tibetan_candidates(capsys):
    code, out, _ = run(capsys, "ime", "candidates", "--mode", "tibetan", "smbmyi", "--json")
    assert code == 0 and out["candidates"][0] == "སྤྱི" and "སྤྱི་ཚོགས་ཉེན་བཅོལ" in out["candidates"]


def test_yi_candidates(capsys):
    code, out, _ = run(capsys, "ime", "candidates", "--mode", "yi", "nuosu", "--json")
    assert code == 0 and out["candidates"][0] == "ꆈꌠ"


def test_handwrite(capsys):
    code, out, _ = run(capsys, "ime", "handwrite", "--strokes", str(SAMPLE_YI), "--json")
    assert code == 0 and out["strokes"] == 7 and "医" in out["candidates"][:3]


@pytest.mark.parametrize("content", ["not json", '[[[1, 5000]]]'])
def test_handwrite_bad_file(capsys, tmp_path, content):
    f = tmp_path / "s.json"
    f.write_text(content)
    code, _, err = run(capsys, "ime", "handwrite", "--strokes", str(f), "--json")
    assert code == 2 and "kiosk ime handwrite" in err


@pytest.mark.parametrize("query, first", [("shebao", "si_guide"), ("སྨན་བཅོས", "mi_guide"), ("ꑳꀣ", "mi_guide")])
def test_guide_search(capsys, query, first):
    code, out, _ = run(capsys, "guide", "search", query, "--json")
    assert code == 0 and out["guides"][0] == first


def test_guide_search_plain(capsys):
    code, out, _ = run(capsys, "guide", "search", "zzzz")
    assert code == 0 and out.strip() == ""
