"""Mandarin clips that sound like Mandarin: the catalog's Chinese as toned pinyin for espeak-ng.

espeak-ng's `cmn` voice (Debian's 1.51 data) knows only some characters; for the rest it writes
pinyin and then reads that pinyin *by English rules* ("yinhang", bank -> `(en)jI55nt'u:55`, no tones).
`cmn-latn-pinyin` reads toned pinyin syllables (`yin2 hang2`) by Mandarin rules. So the build feeds
it pypinyin's reading, which resolves polyphones by word (yinhang: hang2, chongxin: chong2); the few
catalog words pypinyin gets wrong are fixed in PHRASES. Latin runs (App, USB, English) are said
by the `en` voice and the pieces joined (voicebuild.py); digits are read as Chinese numbers.

`measure()` is the evidence (`kiosk voice mandarin`): on every speakable catalog text, per voice,
the share of Han characters espeak-ng reads with English phonemes, and for the pinyin route the
share of syllables whose output tone contour matches the requested tone. The criterion: a prompt
is right when no Han character goes through English rules and every syllable carries its tone.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from kiosk.i18n.translator import LOCALES_DIR

CONVERTER_VERSION = "2"  # part of each generated clip's build tag: a change regenerates the clips
HAN = re.compile(r"[\u3400-\u9fff]+")
SEGMENT = re.compile(r"([\u3400-\u9fff]+)|([A-Za-z][A-Za-z ]*[A-Za-z]|[A-Za-z])|(\d+)|([^\u3400-\u9fffA-Za-z\d]+)")
# Words of the catalog whose reading pypinyin's phrase table gets wrong (checked by hand).
# Found by listing every polyphone of the catalog with the reading pypinyin 0.55 picked (重连 and
# 重试 came out zhòng, 时间长 zhǎng); 还款 is kept as the documented example of the mechanism.
PHRASES: dict[str, list[list[str]]] = {
    "\u8fd8\u6b3e": [["huán"], ["kuǎn"]],
    "\u91cd\u8fde": [["chóng"], ["lián"]],
    "\u91cd\u8bd5": [["chóng"], ["shì"]],
    "\u65f6\u95f4\u957f": [["shí"], ["jiān"], ["cháng"]],
}
DIGITS = "\u96f6\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d"
TONE_CONTOURS = {"1": ("55",), "2": ("35",), "3": ("214", "21", "35"), "4": ("51", "53")}  # 3->35: sandhi


def _pinyin() -> Any:
    import pypinyin

    pypinyin.load_phrases_dict(PHRASES)
    return pypinyin


def chinese_number(digits: str) -> str:
    """24 -> er shi si, 12345 (a hotline) -> yi er san si wu: up to 99 as a number, longer digit by digit."""
    n = int(digits)
    if len(digits) > 2 or digits.startswith("0"):
        return "".join(DIGITS[int(d)] for d in digits)
    tens, units = divmod(n, 10)
    if n < 10:
        return DIGITS[n]
    return ("" if tens == 1 else DIGITS[tens]) + "\u5341" + (DIGITS[units] if units else "")


def segments(text: str) -> list[tuple[str, str]]:
    """[(voice, text)]: ("pinyin", "yin2 hang2"), ("en", "App"), ("pause", "")."""
    pypinyin = _pinyin()
    out: list[tuple[str, str]] = []
    for han, latin, num, other in SEGMENT.findall(text):
        if num:
            han = chinese_number(num)
        if han:
            syll = pypinyin.lazy_pinyin(han, style=pypinyin.Style.TONE3, neutral_tone_with_five=True)
            out.append(("pinyin", " ".join(syll)))
        elif latin:
            out.append(("en", latin))
        elif other.strip():
            out.append(("pause", ""))
    merged: list[tuple[str, str]] = []
    for voice, part in out:  # neighbouring pinyin runs join into one phrase (better intonation)
        if merged and voice == merged[-1][0]:
            if voice != "pause":
                merged[-1] = (voice, merged[-1][1] + " " + part)
        else:
            merged.append((voice, part))
    while merged and merged[-1][0] == "pause":
        merged.pop()
    while merged and merged[0][0] == "pause":
        merged.pop(0)
    return merged


def phonemes(voice: str, text: str) -> str:
    espeak = shutil.which("espeak-ng")
    if not espeak:
        raise RuntimeError("espeak-ng is not installed")
    return subprocess.run([espeak, "-v", voice, "-x", "-q", text], capture_output=True, text=True,
                          timeout=30, check=True).stdout.strip()


def _tone_ok(syllable: str, output: str) -> bool:
    tone = syllable[-1]
    if "(en)" in output:
        return False
    if tone == "5":
        return True  # neutral tone: any short contour
    return any(c in output for c in TONE_CONTOURS.get(tone, ()))


def measure(locales_dir: Path = LOCALES_DIR, workers: int = 2) -> dict[str, Any]:
    from kiosk.i18n.voice_store import catalog

    texts = {k: e.text for k, e in catalog("zh_CN", locales_dir).items()}
    han_counts: dict[str, int] = {}
    for t in texts.values():
        for ch in "".join(HAN.findall(t)):
            han_counts[ch] = han_counts.get(ch, 0) + 1
    pypinyin = _pinyin()
    syllables: dict[str, int] = {}
    for t in texts.values():
        for voice, part in segments(t):
            if voice == "pinyin":
                for s in part.split():
                    syllables[s] = syllables.get(s, 0) + 1
    with ThreadPoolExecutor(workers) as pool:
        cmn_char = dict(zip(han_counts, pool.map(lambda ch: phonemes("cmn", ch), han_counts)))
        cmn_text = dict(zip(texts, pool.map(lambda t: phonemes("cmn", t), texts.values())))
        pin_syll = dict(zip(syllables, pool.map(lambda s: phonemes("cmn-latn-pinyin", s), syllables)))
    han_total = sum(han_counts.values())
    cmn_english = {ch for ch, out in cmn_char.items() if "(en)" in out}
    pin_bad = {s for s, out in pin_syll.items() if not _tone_ok(s, out)}
    syll_total = sum(syllables.values())
    # a Latin word in the text (App, USB) rightly switches to English: count only Han-only texts
    prompts_with_en = [k for k, out in cmn_text.items()
                       if HAN.search(texts[k]) and not re.search(r"[A-Za-z]", texts[k]) and "(en)" in out]
    pin_prompt_bad = [k for k, t in texts.items()
                      if any(voice == "pinyin" and any(s in pin_bad for s in part.split()) for voice, part in segments(t))]
    han_prompts = [k for k in texts if HAN.search(texts[k])]
    han_only = [k for k in han_prompts if not re.search(r"[A-Za-z]", texts[k])]
    summary = {
        "prompts (with Han text)": f"{len(texts)} ({len(han_prompts)})",
        "cmn: Han characters read by English rules":
            f"{sum(han_counts[c] for c in cmn_english)}/{han_total} occurrences "
            f"({100 * sum(han_counts[c] for c in cmn_english) / max(han_total, 1):.1f}%), "
            f"{len(cmn_english)}/{len(han_counts)} distinct",
        "cmn: prompts with an English-rules stretch": f"{len(prompts_with_en)}/{len(han_only)} (texts without Latin words)",
        "cmn-latn-pinyin: syllables without English rules and with their tone":
            f"{syll_total - sum(syllables[s] for s in pin_bad)}/{syll_total} occurrences, "
            f"{len(syllables) - len(pin_bad)}/{len(syllables)} distinct",
        "cmn-latn-pinyin: prompts with a wrong syllable": f"{len(pin_prompt_bad)}/{len(han_prompts)}",
        "pypinyin": getattr(pypinyin, "__version__", "?"),
        "espeak-ng": phonemes_version(),
    }
    return {"summary": summary, "cmn_english_chars": sorted(cmn_english),
            "pinyin_bad_syllables": {s: pin_syll[s] for s in sorted(pin_bad)},
            "examples": {k: {"text": texts[k], "cmn": cmn_text[k],
                             "pinyin": " | ".join(p for v, p in segments(texts[k]))} for k in han_prompts[:5]}}


def phonemes_version() -> str:
    espeak = shutil.which("espeak-ng")
    if not espeak:
        return "missing"
    out = subprocess.run([espeak, "--version"], capture_output=True, text=True, timeout=10).stdout
    m = re.search(r"text-to-speech: (\S+)", out)
    return m.group(1) if m else out.strip()
