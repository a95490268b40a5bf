"""Recovery at every start: whatever step a crash or power cut interrupted, the `current` link ends
on the committed version (state.json) and half-made releases are removed. A mixin of the Updater
(kiosk/update/updater.py)."""
from __future__ import annotations

import json
import logging
import os
import shutil


from kiosk.core.durable import atomic_symlink
from kiosk.update.state import (
    MARKER,
    MAX_INTERRUPTED,
    UpdateState,
)

log = logging.getLogger(__name__)


class Recovery:
    def _recover(self) -> tuple[UpdateState, bool]:
        self.releases_dir.mkdir(parents=True, exist_ok=True)
        self._clean_debris()
        state = UpdateState.load(self.state_path)
        changed = False
        if state.pending is not None:
            # A switch that never reached commit: the new version is not trusted yet.
            v = state.pending
            state.interrupted[v] = state.interrupted.get(v, 0) + 1
            if state.interrupted[v] >= MAX_INTERRUPTED and v not in state.bad:
                state.bad.append(v)
            state.pending = None
            changed = True
        if state.current is not None and not self._complete(state.current):
            log.error("committed release %s is missing or incomplete", state.current)
            if state.previous and self._complete(state.previous):
                state.current, state.previous = state.previous, None
            else:
                state.current = None
            changed = True
        if state.current is None:
            linked = self.current_version()
            if linked is not None and linked not in state.bad and state.pending is None:
                # Installed by the OS image or by hand, without a state file: adopt it.
                state.current = linked
                changed = True
        switched = False
        if state.current is not None:
            want = f"releases/{state.current}"
            try:
                have = os.readlink(self.current_link)
            except OSError:
                have = None
            if have != want:
                atomic_symlink(self.current_link, want)
                switched = True
        if changed:
            state.save(self.state_path)
        return state, switched

    def _clean_debris(self) -> None:
        for p in self.releases_dir.glob(".partial-*"):
            shutil.rmtree(p, ignore_errors=True)
        for p in self.releases_dir.glob(".trash-*"):
            shutil.rmtree(p, ignore_errors=True)
        for p in self.root.glob(".current.tmp-*"):
            p.unlink(missing_ok=True)
        for p in self.root.glob(".state.json.tmp-*"):
            p.unlink(missing_ok=True)

    def _complete(self, version: str) -> bool:
        try:
            marker = json.loads((self.releases_dir / version / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(marker, dict) and marker.get("version") == version

    def _safe_current(self) -> str | None:
        try:
            return UpdateState.load(self.state_path).current
        except Exception:  # noqa: BLE001 - reporting must not fail
            return None

    # -- TUF ------------------------------------------------------------------------------------
