"""`kiosk voice report|record|review|export|import|mandarin`: the spoken prompts of each language.

    kiosk voice report [--json] [--clips DIR]...       what is recorded/reviewed/missing/changed
    kiosk voice record --lang bo [--source mic|FILE.wav|DIR] [--only-missing] [--key K]...
    kiosk voice review --lang bo                       accept or reject recorded clips
    kiosk voice export --lang bo --out pack.tar.gz     a prompt pack for other terminals
    kiosk voice import pack.tar.gz                     checked: refused whole if anything is off
    kiosk voice mandarin [--json]                      espeak-ng cmn vs pinyin input on the catalog

`--clips DIR` is the clip root (layout `<DIR>/<lang>/voice/`); default the terminal's own,
`<data dir>/clips` of the site file (KIOSK_CONFIG; else the demo profile), which the kiosk plays
before the shipped locales/ and an app update never replaces. Exit codes: 0 done, 2 bad input or a refused pack, 3 no microphone.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.i18n.languages import LANGUAGES
from kiosk.i18n.translator import LOCALES_DIR


def _terminal_clips() -> Path:
    from kiosk.core import config
    from kiosk.i18n.voice_store import TERMINAL_CLIPS

    return config.from_args(None, None).data_path / TERMINAL_CLIPS


def _store(args: argparse.Namespace):  # noqa: ANN202
    from kiosk.i18n.voice_store import ClipStore

    return ClipStore(Path(args.clips) if args.clips else _terminal_clips())


def cmd_report(args: argparse.Namespace) -> int:
    from kiosk.i18n.voice_store import report

    roots = [Path(c) for c in args.clips] + [LOCALES_DIR] if args.clips else [_terminal_clips(), LOCALES_DIR]
    result = report(LANGUAGES, LOCALES_DIR, roots)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    for lang, r in result.items():
        print(f"{lang}: {r['playable']}/{r['prompts']} prompts can be spoken in {lang} "
              f"(generated {r['generated']}, recorded {r['recorded']}, reviewed {r['reviewed']}); "
              f"missing {len(r['missing'])}, changed since recording {len(r['changed'])}"
              + ("; the rest is spoken in Chinese with a note" if lang != "zh_CN" and r["playable"] < r["prompts"] else ""))
        if args.verbose_keys:
            for state in ("missing", "changed"):
                for key in r[state]:
                    print(f"  {state} {key}")
    return 0


def cmd_record(args: argparse.Namespace) -> int:
    from kiosk.i18n.voice_record import FileSource, MicSource, RecordError, record

    if args.lang not in LANGUAGES:
        print(f"kiosk voice record: unknown language {args.lang!r}", file=sys.stderr)
        return 2
    try:
        source = MicSource() if args.source == "mic" else FileSource(Path(args.source))
    except RecordError as e:
        print(f"kiosk voice record: {e}", file=sys.stderr)
        return 3 if args.source == "mic" else 2
    store = _store(args)
    record(args.lang, source, store, LOCALES_DIR, sys.stdin, sys.stdout,
                    only_missing=args.only_missing, keys=args.key, speaker=args.speaker)
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from kiosk.i18n.voice_record import review

    done = review(args.lang, _store(args), LOCALES_DIR, sys.stdin, sys.stdout, reviewer=args.reviewer)
    print(" ".join(f"{k} {len(v)}" for k, v in done.items()))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from kiosk.i18n.voice_pack import export_pack

    summary = export_pack(args.lang, Path(args.out), _store(args), LOCALES_DIR,
                          include_unreviewed=not args.reviewed_only)
    print(f"{args.out}: {summary['clips']} clips ({args.lang})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from kiosk.i18n.voice_pack import PackError, import_pack

    try:
        s = import_pack(Path(args.pack), _store(args), LOCALES_DIR)
    except PackError as e:
        print(f"kiosk voice import: refused, nothing imported: {e}", file=sys.stderr)
        return 2
    print(f"{s['lang']}: imported {s['imported']}, kept local reviewed {s['kept_local']}, "
          f"recorded for a different text {s['changed']}")
    return 0


def cmd_mandarin(args: argparse.Namespace) -> int:
    from kiosk.i18n.mandarin import measure

    result = measure(LOCALES_DIR)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        for name, value in result["summary"].items():
            print(f"{name}: {value}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("voice", help="voice prompts: report, record, review, export, import")
    vsub = p.add_subparsers(dest="voice_command", required=True)

    def clips_arg(q: argparse.ArgumentParser, multiple: bool = False) -> None:
        q.add_argument("--clips", action="append" if multiple else "store", default=None,
                       help="clip root (<DIR>/<lang>/voice/); default the shipped locales/")

    q = vsub.add_parser("report", help="per language: recorded, reviewed, missing, changed since recording")
    q.add_argument("--json", action="store_true")
    q.add_argument("--keys", dest="verbose_keys", action="store_true", help="list the missing and changed keys")
    clips_arg(q, multiple=True)
    q.set_defaults(func=cmd_report)

    q = vsub.add_parser("record", help="record the missing or changed prompts of a language")
    q.add_argument("--lang", required=True)
    q.add_argument("--source", default="mic", help="mic, a WAV for every prompt, or a folder of <key>.wav")
    q.add_argument("--only-missing", action="store_true", help="skip prompts whose text changed")
    q.add_argument("--key", action="append", help="only this prompt (repeatable)")
    q.add_argument("--speaker", default=None, help="who recorded (kept in the manifest)")
    clips_arg(q)
    q.set_defaults(func=cmd_record)

    q = vsub.add_parser("review", help="listen to recorded clips and accept or reject them")
    q.add_argument("--lang", required=True)
    q.add_argument("--reviewer", default=None)
    clips_arg(q)
    q.set_defaults(func=cmd_review)

    q = vsub.add_parser("export", help="write a prompt pack")
    q.add_argument("--lang", required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--reviewed-only", action="store_true")
    clips_arg(q)
    q.set_defaults(func=cmd_export)

    q = vsub.add_parser("import", help="import a prompt pack (checked)")
    q.add_argument("pack")
    clips_arg(q)
    q.set_defaults(func=cmd_import)

    q = vsub.add_parser("mandarin", help="compare espeak-ng cmn with pinyin input on the catalog")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_mandarin)
