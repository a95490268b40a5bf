"""Sound for the recording tool: read/write 16-bit WAV, trim silence, normalise loudness, encode.

Every clip a terminal plays should sound alike whoever recorded it and wherever: the same loudness
(RMS TARGET_DBFS, with the peak kept under PEAK_DBFS so loud voices are not clipped) and no long
silence before or after (a blind person waits for the prompt; 0.1 s of room is kept each side).
"""
from __future__ import annotations

import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 22050               # the clips' sample rate (speech; espeak-ng's own rate)
TARGET_DBFS = -20.0        # RMS loudness of every stored clip
PEAK_DBFS = -1.0           # never louder than this at any sample
SILENCE_DBFS = -45.0       # a 20 ms frame quieter than this (or than peak-35 dB) is silence
PAD_S = 0.1
MAX_SECONDS = 30.0         # a prompt is a sentence; a longer take is a stuck recorder


@dataclass
class Take:
    samples: np.ndarray  # float32 mono in [-1, 1]
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


def dbfs(x: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0
    return 20 * np.log10(rms) if rms > 0 else -120.0


def read_wav(path: Path, max_seconds: float = MAX_SECONDS) -> Take:
    """A PCM WAV (8/16/32-bit, any channels) as mono float; raises ValueError on anything else."""
    try:
        with wave.open(str(path), "rb") as w:
            width, channels, rate, frames = w.getsampwidth(), w.getnchannels(), w.getframerate(), w.getnframes()
            if not 8000 <= rate <= 96000 or channels < 1 or channels > 8:
                raise ValueError(f"{path.name}: unsupported format ({rate} Hz, {channels} channels)")
            if frames > max_seconds * rate:
                raise ValueError(f"{path.name}: longer than {max_seconds:.0f} s")
            raw = w.readframes(frames)
    except (wave.Error, EOFError) as e:
        raise ValueError(f"{path.name}: not a PCM WAV file ({e})") from None
    if width == 1:
        data = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
    elif width == 2:
        data = np.frombuffer(raw, "<i2").astype(np.float32) / 32768
    elif width == 4:
        data = np.frombuffer(raw, "<i4").astype(np.float32) / 2147483648
    else:
        raise ValueError(f"{path.name}: {8 * width}-bit samples not supported")
    data = data[: len(data) - len(data) % channels].reshape(-1, channels).mean(axis=1)
    return Take(data.astype(np.float32), rate)


def write_wav(take: Take, path: Path) -> Path:
    pcm = (np.clip(take.samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(take.rate)
        w.writeframes(pcm.tobytes())
    return path


def trim(take: Take) -> Take:
    """Cut leading and trailing silence (frame RMS under the threshold), keeping PAD_S each side."""
    frame = max(1, int(0.02 * take.rate))
    n = len(take.samples) // frame
    if n == 0:
        return take
    frames = take.samples[: n * frame].reshape(n, frame)
    levels = 20 * np.log10(np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1)) + 1e-9)
    threshold = max(SILENCE_DBFS, float(levels.max()) - 35.0)
    voiced = np.nonzero(levels > threshold)[0]
    if len(voiced) == 0:
        return Take(take.samples[:0], take.rate)
    pad = int(PAD_S * take.rate)
    start = max(0, voiced[0] * frame - pad)
    end = min(len(take.samples), (voiced[-1] + 1) * frame + pad)
    return Take(take.samples[start:end], take.rate)


def normalise(take: Take, target_dbfs: float = TARGET_DBFS) -> Take:
    """Scale to the target RMS, but never past PEAK_DBFS at the loudest sample."""
    if not len(take.samples):
        return take
    level = dbfs(take.samples)
    peak = float(np.max(np.abs(take.samples)))
    if level <= -100 or peak == 0:
        return take
    gain = 10 ** ((target_dbfs - level) / 20)
    gain = min(gain, 10 ** (PEAK_DBFS / 20) / peak)
    return Take((take.samples * gain).astype(np.float32), take.rate)


def process(take: Take) -> Take:
    return normalise(trim(take))


def encode(take: Take, out_stem: Path) -> Path:
    """Write `<stem>.ogg` with oggenc when installed (small, what the shipped clips are), else
    `<stem>.wav` (Kivy plays both)."""
    wav = write_wav(take, out_stem.with_suffix(".wav"))
    oggenc = shutil.which("oggenc")
    if not oggenc:
        return wav
    ogg = out_stem.with_suffix(".ogg")
    subprocess.run([oggenc, "-Q", "-q", "3", "-o", str(ogg), str(wav)], check=True, capture_output=True, timeout=60)
    wav.unlink()
    return ogg


def speech_like(seconds: float = 0.8, lead: float = 0.7, level: float = 0.05, seed: int = 1) -> Take:
    """A stand-in voice: a 180 Hz tone with a 4 Hz syllable envelope between quiet stretches of
    hiss. The demo's microphone and the tests record this, so trimming and loudness are exercised."""
    t = np.arange(int(seconds * RATE)) / RATE
    voiced = level * np.sin(2 * np.pi * 180 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t))
    hiss = np.random.default_rng(seed).normal(0, 1e-4, int(lead * RATE))
    return Take(np.concatenate([hiss, voiced, hiss]).astype(np.float32), RATE)
