"""Content packs (service guides, voice clips) fetched through the same TUF trust as releases.
A mixin of the Updater (kiosk/update/updater.py): it uses its TUF client and install root."""
from __future__ import annotations

import logging
import os
import secrets
import shutil
from pathlib import Path


from kiosk.update import rings
from kiosk.core.durable import atomic_symlink, fsync_dir, fsync_tree
from kiosk.update.errors import (
    MetadataRejected,
)
from kiosk.update.state import (
    ContentResult,
    KEEP_RELEASES,
    _Candidate,
)
from kiosk.update.tuf_client import tuf_errors_as_ours

log = logging.getLogger(__name__)


class ContentPacks:
    def fetch_content(self, kind: str) -> ContentResult | None:
        """Download the newest eligible content of `kind` (catalog, translations, announcement)
        into content/<kind>/<version>/ and point content/<kind>/current at it."""
        with self._locked():
            state, _ = self._recover()
            tuf = self._refresh()
            best: _Candidate | None = None
            for cand in self._listed(kind):
                if rings.eligible(self.terminal_id, cand.ring, self.pilot_percent) and (
                        best is None or rings.parse_version(cand.version) > rings.parse_version(best.version)):
                    best = cand
            if best is None:
                return None
            base = self.root / "content" / kind
            dest_dir = base / best.version
            dest = dest_dir / Path(best.path).name
            if state.content.get(kind) != best.version or not dest.exists():
                with tuf_errors_as_ours("metadata"):
                    info = tuf.get_targetinfo(best.path)
                if info is None:
                    raise MetadataRejected(f"{best.path} listed but not resolvable")
                partial = base / f".partial-{best.version}-{secrets.token_hex(4)}"
                partial.mkdir(parents=True)
                with tuf_errors_as_ours("target"):
                    tuf.download_target(info, str(partial / dest.name), self.repo_url + "targets/")
                fsync_tree(partial)
                if dest_dir.exists():
                    shutil.rmtree(dest_dir)
                os.rename(partial, dest_dir)
                fsync_dir(base)
                atomic_symlink(base / "current", best.version)
                state.content[kind] = best.version
                state.save(self.state_path)
                self._prune_content(base, best.version)
            return ContentResult(kind, best.version, dest)

    @staticmethod
    def _prune_content(base: Path, current: str) -> None:
        versions = sorted((p.name for p in base.iterdir() if p.is_dir() and rings.is_version(p.name)),
                          key=rings.parse_version, reverse=True)
        for name in versions[KEEP_RELEASES:]:
            if name != current:
                shutil.rmtree(base / name, ignore_errors=True)
        for p in base.glob(".partial-*"):
            shutil.rmtree(p, ignore_errors=True)

    # -- recovery -------------------------------------------------------------------------------
