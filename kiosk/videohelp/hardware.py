"""The terminal's own camera, microphone and loudspeaker for a video help call ([videohelp]
camera, microphone, speaker in the site file); the demo and the tests keep the synthetic ones
(kiosk/videohelp/media.py).

Opened when a staff member accepts, not when the citizen joins the queue: the camera is on only
while the screen says so. A device that cannot be opened does not stop the call: the staff member
sees the synthetic test pattern instead of a face (and hears the tone), and the log names the
device and why, for the technician. Devices are aiortc's MediaPlayer (V4L2 camera, ALSA
microphone) and MediaRecorder (ALSA playback) over ffmpeg's devices: one library, the one that
already carries the call."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from kiosk.videohelp.media import SyntheticCamera, ToneTrack

log = logging.getLogger(__name__)

SYNTHETIC_CAMERA, TONE = "synthetic", "tone"
CAMERA_OPTIONS = {"video_size": "640x480", "framerate": "15"}  # what the staff console asks for too
MICROPHONE_OPTIONS = {"channels": "1", "sample_rate": "48000"}


def _player(*args: Any, **kw: Any) -> Any:
    from aiortc.contrib.media import MediaPlayer

    return MediaPlayer(*args, **kw)


def _recorder(*args: Any, **kw: Any) -> Any:
    from aiortc.contrib.media import MediaRecorder

    return MediaRecorder(*args, **kw)


@dataclass(frozen=True)
class CallMedia:
    """[videohelp] camera ("synthetic" or a V4L2 device such as /dev/video0), microphone ("tone"
    or alsa:<device>), speaker ("" = the staff member's voice is not played, or alsa:<device>)."""
    camera: str = SYNTHETIC_CAMERA
    microphone: str = TONE
    speaker: str = ""
    player: Callable[..., Any] = _player
    recorder: Callable[..., Any] = _recorder

    def sources(self) -> tuple[Any, Any]:
        """(camera track, microphone track) for one call."""
        camera = microphone = None
        if self.camera != SYNTHETIC_CAMERA:
            try:
                camera = self.player(self.camera, format="v4l2", options=dict(CAMERA_OPTIONS)).video
            except Exception as e:  # noqa: BLE001 - any device failure: the call goes on without it
                log.error("video help: camera %s cannot be opened (%s); the staff member sees a test pattern",
                          self.camera, e)
        if self.microphone != TONE:
            device = self.microphone.removeprefix("alsa:")
            try:
                microphone = self.player(device, format="alsa", options=dict(MICROPHONE_OPTIONS)).audio
            except Exception as e:  # noqa: BLE001
                log.error("video help: microphone %s cannot be opened (%s); the staff member hears a tone",
                          self.microphone, e)
        return camera or SyntheticCamera(), microphone or ToneTrack()

    def speaker_sink(self) -> Any:
        """Where the staff member's voice goes for one call (a MediaRecorder), or None."""
        if not self.speaker:
            return None
        try:
            return self.recorder(self.speaker.removeprefix("alsa:"), format="alsa")
        except Exception as e:  # noqa: BLE001
            log.error("video help: speaker %s cannot be opened (%s); the staff member is not heard",
                      self.speaker, e)
            return None
