"""Generates the recordable prompts that a machine can honestly produce: Chinese and English
clips with espeak-ng (run at set-up). Tibetan and Yi have no open synthesiser: their clips must
be recorded by people; `kiosk voice report` lists what is missing."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kiosk.i18n.languages import LANGUAGES
from kiosk.i18n.translator import LOCALES_DIR, Msg, Translator
from kiosk.i18n.voice import prompt_keys

# Voices from the languages table; a language without one gets recorded clips only.
ESPEAK_VOICES = {code: lang.espeak_voice for code, lang in LANGUAGES.items() if lang.espeak_voice}


def build(locales_dir: Path = LOCALES_DIR) -> int:
    espeak, oggenc = shutil.which("espeak-ng"), shutil.which("oggenc")
    if not espeak or not oggenc:
        print("voicebuild: espeak-ng or oggenc missing (make setup installs them); no clips generated", file=sys.stderr)
        return 0
    tr = Translator(locales_dir)
    made = 0
    keys = prompt_keys(locales_dir)
    with tempfile.TemporaryDirectory() as tmp:
        for lang, voice in ESPEAK_VOICES.items():
            out_dir = locales_dir / lang / "voice"
            out_dir.mkdir(parents=True, exist_ok=True)
            po_mtime = (locales_dir / lang / "LC_MESSAGES" / "kiosk.po").stat().st_mtime
            for key in keys:
                out = out_dir / f"{key}.ogg"
                if out.is_file() and out.stat().st_mtime >= po_mtime:
                    continue  # up to date with the catalog text
                wav = Path(tmp) / "clip.wav"
                text = tr.text(Msg(key), lang)
                subprocess.run([espeak, "-v", voice, "-s", "150", "-w", str(wav), text], check=True,
                               capture_output=True, timeout=30)
                partial = out.with_suffix(".partial")
                subprocess.run([oggenc, "-Q", "-q", "2", "-o", str(partial), str(wav)], check=True,
                               capture_output=True, timeout=30)
                partial.replace(out)
                made += 1
    if made:
        print(f"voicebuild: generated {made} clips")
    return made


if __name__ == "__main__":
    build()
