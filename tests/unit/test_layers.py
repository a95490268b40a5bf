"""The import rules of shared/DESIGN.md, enforced."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("kiosk", "devices", "flows", "screens")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def kv_imports(path: Path) -> set[str]:
    return {line.split()[2].rsplit(".", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("#:import")}


def top(name: str) -> str:
    return name.split(".", 1)[0]


def violations() -> list[str]:
    bad = []
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*"):
            if path.suffix not in (".py", ".kv"):
                continue
            mods = imports(path) if path.suffix == ".py" else kv_imports(path)
            tops = {top(m) for m in mods}
            rel = str(path.relative_to(ROOT))
            if layer == "devices":
                forbidden = tops & {"kiosk", "flows", "screens"}
            elif layer == "flows":
                forbidden = tops & {"kivy", "screens"}
            elif layer == "screens":
                forbidden = tops & {"devices"}
            elif rel in ("kiosk/app.py", "kiosk/cli.py") or rel.startswith("kiosk/commands/"):
                # the composition root and the command line (cli.py split into kiosk/commands/)
                forbidden = set()
            else:
                forbidden = tops & {"screens", "flows", "kivy"}
            bad += [f"{rel} imports {m}" for m in sorted(mods) if top(m) in forbidden]
    return bad


def test_layers_follow_design_md():
    assert violations() == []


def test_the_checker_catches_a_violation(tmp_path, monkeypatch):
    fake_root = tmp_path
    for layer in LAYERS:
        (fake_root / layer).mkdir()
    (fake_root / "devices" / "bad.py").write_text("from kiosk.session import Session\n")
    (fake_root / "flows" / "bad.py").write_text("import kivy.uix.label\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", fake_root)
    assert violations() == ["devices/bad.py imports kiosk.session", "flows/bad.py imports kivy.uix.label"]
