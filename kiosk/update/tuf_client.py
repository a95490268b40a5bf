"""python-tuf's ngclient as the updater uses it: metadata written durably, and its exceptions
translated into the updater's typed errors (kiosk/update/errors.py)."""
from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator

from tuf.api import exceptions as tuf_errors
from tuf.ngclient import Updater as _NgUpdater

from kiosk.core.durable import fsync_dir
from kiosk.update.errors import ArtifactRejected, InstallError, MetadataRejected, RepositoryUnavailable


class DurableTufUpdater(_NgUpdater):
    """ngclient replaces metadata files atomically but does not fsync; a power cut could leave
    an empty timestamp.json behind. This override (of ngclient 7's `_persist_file` hook) adds the
    fsyncs; everything else is stock ngclient."""

    def _persist_file(self, filename: str, data: bytes) -> None:
        directory = os.path.dirname(filename)
        tmp = os.path.join(directory, f".{os.path.basename(filename)}.tmp-{secrets.token_hex(4)}")
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, filename)
        except OSError:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)
            raise
        fsync_dir(directory)


@contextlib.contextmanager
def tuf_errors_as_ours(stage: str) -> Iterator[None]:
    """Translate python-tuf's exceptions into ours. `stage` is "metadata" or "target"."""
    try:
        yield
    except tuf_errors.DownloadLengthMismatchError as e:
        # Longer than the signed (or configured maximum) length: an endless-data attack.
        cls = ArtifactRejected if stage == "target" else MetadataRejected
        raise cls(f"{stage} larger than allowed: {e}") from e
    except tuf_errors.LengthOrHashMismatchError as e:
        cls = ArtifactRejected if stage == "target" else MetadataRejected
        raise cls(f"{stage} does not match its signed hash/length: {e}") from e
    except tuf_errors.ExpiredMetadataError as e:
        raise MetadataRejected(f"expired metadata: {e}") from e
    except tuf_errors.BadVersionNumberError as e:
        raise MetadataRejected(f"metadata rollback refused: {e}") from e
    except tuf_errors.UnsignedMetadataError as e:
        raise MetadataRejected(f"metadata not signed by the trusted keys: {e}") from e
    except tuf_errors.RepositoryError as e:
        raise MetadataRejected(f"metadata rejected: {e}") from e
    except tuf_errors.DownloadError as e:
        raise RepositoryUnavailable(f"repository unreachable: {e}") from e
    except ValueError as e:  # malformed metadata that slipped past the typed errors
        raise MetadataRejected(f"metadata rejected: {e}") from e
    except OSError as e:
        raise InstallError(f"cannot write update files: {e}") from e


