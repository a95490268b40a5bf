"""bench/ runs with the installed package (`pip install -e .`, the venv's python): no script edits
sys.path, and none imports from tests/ (shared material lives in the package, e.g.
devices/scanner/testmaterial.py)."""
from __future__ import annotations

import ast
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_bench_scripts_neither_edit_sys_path_nor_import_tests():
    bad = []
    for path in sorted(BENCH.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "sys.path" in text:
            bad.append(f"{path.name}: sys.path")
        for node in ast.walk(ast.parse(text)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            bad += [f"{path.name}: imports {n}" for n in names if n.split(".")[0] in ("tests", "material", "conftest")]
    assert not bad, bad
