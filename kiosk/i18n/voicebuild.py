"""Generates the prompts a machine can honestly produce: Chinese and English clips with espeak-ng
(run by `make setup`). Tibetan and Yi have no open synthesiser: their clips are recorded by people
(`kiosk voice record`) or imported as a prefecture's pack (`kiosk voice import`).

Chinese goes through kiosk/i18n/mandarin.py: pypinyin's toned syllables read by espeak-ng's
`cmn-latn-pinyin` voice (the `cmn` voice reads 81% of the catalog's characters by English rules;
`kiosk voice mandarin` measures it), Latin words by the `en` voice, the pieces joined. Every clip
is normalised to the same loudness as the recorded ones (voice_audio.TARGET_DBFS).

Reproducible: a clip is rebuilt when its catalog text (hash) or its build tag (espeak-ng version,
voice, converter version) differs from its manifest entry, never because of file dates.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from kiosk.i18n import voice_audio as audio
from kiosk.i18n.languages import LANGUAGES
from kiosk.i18n.translator import LOCALES_DIR
from kiosk.i18n.voice_store import ClipStore, catalog, text_sha

# Voices from the languages table; a language without one gets recorded clips only.
ESPEAK_VOICES = {code: lang.espeak_voice for code, lang in LANGUAGES.items() if lang.espeak_voice}
PINYIN_VOICE = "cmn-latn-pinyin"  # used instead of `cmn` for Chinese text (see module doc)
PAUSE_S = 0.25


def _espeak_wav(espeak: str, voice: str, text: str, wav: Path) -> audio.Take:
    subprocess.run([espeak, "-v", voice, "-s", "150", "-w", str(wav), text], check=True,
                   capture_output=True, timeout=30)
    return audio.read_wav(wav)


def synthesise(espeak: str, lang: str, voice: str, text: str, tmp: Path) -> audio.Take:
    wav = tmp / "part.wav"
    if voice != "cmn":
        return _espeak_wav(espeak, voice, text, wav)
    from kiosk.i18n.mandarin import segments

    parts: list[np.ndarray] = []
    rate = audio.RATE
    for kind, part in segments(text):
        if kind == "pause":
            parts.append(np.zeros(int(PAUSE_S * rate), np.float32))
            continue
        take = _espeak_wav(espeak, PINYIN_VOICE if kind == "pinyin" else "en", part, wav)
        rate = take.rate
        parts.append(audio.trim(take).samples)
    return audio.Take(np.concatenate(parts) if parts else np.zeros(0, np.float32), rate)


def build_tag(espeak: str, voice: str) -> str:
    from kiosk.i18n.mandarin import CONVERTER_VERSION, phonemes_version

    route = f"{PINYIN_VOICE}+pypinyin/conv{CONVERTER_VERSION}" if voice == "cmn" else voice
    return f"espeak-ng {phonemes_version()} {route} norm{audio.TARGET_DBFS:g}"


def build(locales_dir: Path = LOCALES_DIR, langs: list[str] | None = None) -> int:
    espeak, oggenc = shutil.which("espeak-ng"), shutil.which("oggenc")
    if not espeak or not oggenc:
        print("voicebuild: espeak-ng or oggenc missing (make setup installs them); no clips generated", file=sys.stderr)
        return 0
    store = ClipStore(locales_dir)
    made = 0
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for lang, voice in ESPEAK_VOICES.items():
            if langs and lang not in langs:
                continue
            tag = build_tag(espeak, voice)
            manifest = store.manifest(lang)
            for key, entry in sorted(catalog(lang, locales_dir).items()):
                old = manifest.get(key) or {}
                if (store.file(lang, key) and old.get("text_sha") == text_sha(entry.text)
                        and old.get("build") == tag):
                    continue  # up to date with the catalog text and the build
                take = audio.normalise(synthesise(espeak, lang, voice, entry.text, tmp))
                clip = audio.encode(take, tmp / "clip")
                store.put(lang, key, clip, entry.text, "generated", build=tag)
                made += 1
                if made % 50 == 0:
                    store.save_manifest(lang)
            store.save_manifest(lang)
    if made:
        print(f"voicebuild: generated {made} clips")
    return made


if __name__ == "__main__":
    build(langs=sys.argv[1:] or None)
