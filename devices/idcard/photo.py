"""Optional WLT photo decoding. The card photo is 1024 bytes of a proprietary wavelet format
with no open decoder; vendors ship a native library. A site that has one registers a small
adapter here; without one, records simply carry no photo (has_photo still says whether the card
had one).

Photos are personal data: nothing here writes them anywhere, and the raw WLT bytes are dropped
once decoded.
"""
from __future__ import annotations

import logging
import threading
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)


@runtime_checkable
class PhotoDecoder(Protocol):
    def decode(self, wlt: bytes) -> bytes:
        """1024 WLT bytes -> an encoded image (e.g. the 102x126 BMP vendors produce). May raise."""
        ...


_lock = threading.Lock()
_decoder: PhotoDecoder | None = None


def register_decoder(decoder: PhotoDecoder | None) -> None:
    """Install (or with None remove) the process-wide decoder."""
    global _decoder
    if decoder is not None and not isinstance(decoder, PhotoDecoder):
        raise TypeError("a photo decoder needs a decode(bytes) -> bytes method")
    with _lock:
        _decoder = decoder


def registered_decoder() -> PhotoDecoder | None:
    with _lock:
        return _decoder


def decode_photo(wlt: bytes) -> bytes | None:
    """The decoded image, or None without a decoder or when it fails (a photo is never worth
    losing the rest of the card over)."""
    decoder = registered_decoder()
    if decoder is None or not wlt:
        return None
    try:
        image = decoder.decode(bytes(wlt))
    except Exception as e:  # noqa: BLE001 - vendor code; the record is still good without a photo
        log.warning("photo decoder failed on %d bytes: %s", len(wlt), type(e).__name__)
        return None
    return bytes(image) if image else None
