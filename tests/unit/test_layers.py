"""The import rules of the README's architecture, enforced.

A *unit* is a top-level package (`devices`, `flows`, `screens`, `kiosk_fleet`) or a subpackage of
`kiosk` (`kiosk.core`, `kiosk.terminal`, ...). Each unit may import only the units in its row of
ALLOWED (plus the standard library and third-party packages, except `kivy` where the row says so).
The composition root (`kiosk.terminal`) and the operator package (`kiosk_fleet`) sit on top:
nothing imports them but their own entry points. The unit graph has no cycle.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kiosk", "kiosk_fleet", "devices", "flows", "screens")
OURS = set(PACKAGES) | {"kivy"}

# unit -> the units it may import (kivy counts as a unit: only the window layers may use it)
ALLOWED: dict[str, set[str]] = {
    "devices": set(),
    "kiosk.i18n": {"devices"},  # the bottom of kiosk/ (receipt_shaper hands devices/ a TextShaper)
    # config checks terminal.languages against the languages table, and [devices] against the
    # device registry (devices/registry.py: which families exist, which URLs each takes)
    "kiosk.core": {"kiosk.i18n", "devices"},
    # input methods (pinyin, handwriting, Tibetan, Yi) and the one guide-search matcher: pure engines
    # over ctypes/data files, read by the keyboard widget (screens), the CLI (kiosk.terminal) and
    # the guide search (kiosk.platform/guides.py delegates to kiosk.ime.match so the demo server and
    # the flow rank alike)
    "kiosk.ime": {"kiosk.core", "kiosk.i18n"},
    "kiosk.platform": {"kiosk.core", "kiosk.ime"},
    "kiosk.demo_platform": {"kiosk.core", "kiosk.platform"},
    "kiosk.update": {"kiosk.core"},
    "kiosk.remote": {"kiosk.core"},
    "kiosk.runtime": {"kiosk.core", "kiosk.i18n", "kiosk.platform", "kiosk.demo_platform", "devices"},
    "kiosk.diag": {"kiosk.core", "kiosk.i18n", "kiosk.platform", "kiosk.demo_platform", "kiosk.runtime",
                   "devices"},
    "flows": {"kiosk.core", "kiosk.i18n", "kiosk.platform", "devices"},
    "screens": {"kivy", "kiosk.core", "kiosk.i18n", "kiosk.diag", "flows", "kiosk.ime"},
    "kiosk.demo": {"kivy", "screens", "flows", "devices", "kiosk.core", "kiosk.i18n", "kiosk.platform", "kiosk.ime",
                   "kiosk.demo_platform", "kiosk.runtime", "kiosk.diag"},
    "kiosk.terminal": {"kivy", "screens", "flows", "devices", "kiosk.core", "kiosk.i18n", "kiosk.platform",
                       "kiosk.demo_platform", "kiosk.runtime", "kiosk.diag", "kiosk.demo", "kiosk.update",
                       "kiosk.remote", "kiosk.ime", "kiosk.videohelp", "kiosk.helpdesk"},  # helpdesk: embedded in the demo
    "kiosk_fleet": {"kiosk.core", "kiosk.update", "kiosk.remote"},
    # The video help desk server (issue 18) runs on its own server in a deployment: it shares only
    # the core's plumbing with the terminal, and never imports the terminal or the kiosk-side client.
    "kiosk.helpdesk": {"kiosk.core"},
    # The kiosk side of video help: renders the screen's Msg texts for the staff replica (i18n);
    # it reaches the help desk only over the wire, so it does not import kiosk.helpdesk.
    "kiosk.videohelp": {"kiosk.core", "kiosk.i18n"},
}
ALLOWED["kiosk.__main__"] = {"kiosk.terminal"}  # `python -m kiosk` is the `kiosk` command
ALLOWED["kiosk"] = set()  # kiosk/__init__.py holds only __version__, which any unit may read
for _row in ALLOWED.values():
    _row.add("kiosk")


def unit_of(module: str, root: Path = ROOT) -> str:
    parts = module.split(".")
    if parts[0] == "kiosk" and len(parts) > 1 and ((root / "kiosk" / parts[1]).is_dir() or parts[1] == "__main__"):
        return f"kiosk.{parts[1]}"
    return parts[0]


def imports(path: Path) -> set[str]:
    if path.suffix == ".kv":
        return {line.split()[2].rsplit(".", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith("#:import")}
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def edges(root: Path = ROOT) -> dict[tuple[str, str], list[str]]:
    """(from unit, to unit) -> the files that make that edge."""
    out: dict[tuple[str, str], list[str]] = {}
    for pkg in PACKAGES:
        for path in sorted((root / pkg).rglob("*")):
            if path.suffix not in (".py", ".kv"):
                continue
            rel = path.relative_to(root)
            src = unit_of(".".join(rel.with_suffix("").parts), root)
            for mod in imports(path):
                if mod.split(".")[0] not in OURS:
                    continue
                dst = unit_of(mod, root)
                if dst != src:
                    out.setdefault((src, dst), []).append(str(rel))
    return out


def violations(root: Path = ROOT) -> list[str]:
    bad = []
    for (src, dst), files in sorted(edges(root).items()):
        for f in files:
            if src not in ALLOWED:
                bad.append(f"{f}: unit {src} has no row in ALLOWED (add one in tests/unit/test_layers.py)")
            elif dst not in ALLOWED[src]:
                bad.append(f"{f} imports {dst}")
    return bad


def cycles(root: Path = ROOT) -> list[list[str]]:
    graph: dict[str, set[str]] = {}
    for src, dst in edges(root):
        graph.setdefault(src, set()).add(dst)
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_layers_follow_the_readme():
    assert violations() == []


def test_no_import_cycle_between_units():
    assert cycles() == []


def test_nothing_imports_the_composition_root_or_the_operator_package():
    importers = {(s, d): f for (s, d), f in edges().items() if d in ("kiosk.terminal", "kiosk_fleet")}
    assert set(importers) <= {("kiosk.__main__", "kiosk.terminal")}, importers


def test_the_checker_catches_a_violation_and_a_cycle(tmp_path):
    for pkg in PACKAGES:
        (tmp_path / pkg).mkdir()
    for sub in ("core", "terminal", "platform"):
        (tmp_path / "kiosk" / sub).mkdir()
    (tmp_path / "devices" / "bad.py").write_text("from kiosk.core.session import Session\n")
    (tmp_path / "flows" / "bad.py").write_text("import kivy.uix.label\n")
    (tmp_path / "kiosk" / "core" / "up.py").write_text("from kiosk.terminal.app import main\n")
    (tmp_path / "kiosk" / "platform" / "p.py").write_text("import kiosk.core.x\n")
    (tmp_path / "kiosk" / "core" / "c.py").write_text("import kiosk.platform.p\n")
    assert violations(tmp_path) == [
        "devices/bad.py imports kiosk.core",
        "flows/bad.py imports kivy",
        "kiosk/core/c.py imports kiosk.platform",
        "kiosk/core/up.py imports kiosk.terminal",
    ]
    assert cycles(tmp_path) == [["kiosk.core", "kiosk.platform", "kiosk.core"]]
