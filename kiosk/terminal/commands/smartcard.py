"""`kiosk device read-sscard` (technician smoke test of the social security card reader over
PC/SC) and `kiosk sim sscard` (a virtual social security card plugged into pcscd via vpcd).

read-sscard exit codes (as read-id): 0 read, 1 no card in time, 3 pcscd not running / no
reader, 5 a card was there but could not be read (removed mid-read, not a social security
card, malformed data).

JSON keys: card_number, card_id, spec_version, issue_date, expiry_date (YYYY-MM-DD), and ssn,
name only when the card lets us read its holder file (keys omitted otherwise).
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading

log = logging.getLogger(__name__)

EXIT_NO_CARD, EXIT_READER, EXIT_BAD_CARD = 1, 3, 5
_SELECT_NOT_FOUND = {0x6A82, 0x6A81, 0x6A86}


def register(device_sub, sim_sub) -> None:  # noqa: ANN001 - argparse sub-parser actions
    p = device_sub.add_parser("read-sscard", help="wait for a social security card (PC/SC) and print what it holds")
    p.add_argument("--json", action="store_true", help="print one JSON object (full data)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a card (default 10)")
    p.add_argument("--reader", default="", help="PC/SC reader name substring (default: the first reader)")
    p.set_defaults(func=cmd_read_sscard)

    p = sim_sub.add_parser("sscard", help="plug a virtual social security card into pcscd via vpcd",
                           description="Connect a virtual social security card to vpcd (needs pcscd with "
                           "vsmartcard-vpcd) and run until SIGINT/SIGTERM. Commands on stdin, one per "
                           "line: insert [FILE.json|NAME] | remove.")
    p.add_argument("--card", default="han",
                   help="card JSON file, or a shipped card: han, tibetan, protected (default: han)")
    p.add_argument("--protect-ef06", action="store_true", help="refuse the holder file with 6982")
    p.add_argument("--get-response", action="store_true", help="answer 61xx: the host must send GET RESPONSE")
    p.add_argument("--chunk", type=int, default=0, help="with --get-response: at most N bytes per GET RESPONSE")
    p.add_argument("--answer-6c", action="store_true", help="answer 6Cxx to the first read of every record")
    p.add_argument("--pull-after", type=int, default=None, metavar="N",
                   help="vanish from the reader after answering N APDUs (card pulled mid-read)")
    p.add_argument("--port", type=int, default=35963, help="vpcd port (35963 = slot 0)")
    p.set_defaults(func=cmd_sim_sscard)


def _fail(code: int, message: str) -> int:
    print(f"kiosk device read-sscard: {message}", file=sys.stderr)
    return code


def cmd_read_sscard(args: argparse.Namespace) -> int:
    try:
        from devices.smartcard import apdu, reader as r, sscard
    except ImportError as e:  # pyscard (or libpcsclite) missing on this machine
        return _fail(EXIT_READER, f"PC/SC support is not installed ({e.name or e})")
    where = f" matching {args.reader!r}" if args.reader else ""
    try:
        record = r.read_once(args.reader, args.timeout)
    except r.ReaderFault as e:
        if e.reason == "pcscd_down":
            return _fail(EXIT_READER, "pcscd is not running (start it: systemctl start pcscd)")
        if e.reason == "no_reader":
            return _fail(EXIT_READER, f"no smart card reader{where} (check the cable; list readers: pcsc_scan)")
        return _fail(EXIT_READER, f"PC/SC error: {e}")
    except r.NoCard:
        return _fail(EXIT_NO_CARD, f"no card inserted within {args.timeout:g} s")
    except apdu.CardRemoved:
        return _fail(EXIT_BAD_CARD, "card removed during the read; insert it again")
    except apdu.CardError as e:
        if e.sw in _SELECT_NOT_FOUND:
            return _fail(EXIT_BAD_CARD, f"not a social security card (no SSSE application, SW {e.sw:04X})")
        return _fail(EXIT_BAD_CARD, f"the card refused a command (SW {e.sw:04X})")
    except sscard.SscardParseError as e:
        return _fail(EXIT_BAD_CARD, f"the card's data is malformed ({e})")
    except apdu.SmartCardError as e:
        return _fail(EXIT_BAD_CARD, f"the card could not be read ({type(e).__name__})")
    except Exception as e:  # noqa: BLE001 - the contract is one plain line, never a traceback
        log.debug("read-sscard failed", exc_info=True)
        return _fail(EXIT_READER, f"unexpected error: {type(e).__name__}")
    data = record.to_json()
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(_masked_summary(data, record.generation))
    return 0


def _masked_summary(data: dict, generation: int) -> str:
    """Without --json: show that the read worked without putting the citizen's data on screen
    (masked as every screen masks them: kiosk.core.privacy)."""
    from kiosk.core.privacy import mask_card_number, mask_id_number, mask_name

    if "ssn" in data and "name" in data:
        holder = f"ssn={mask_id_number(data['ssn'])} name={mask_name(data['name'])}"
    else:
        holder = "holder data not readable (protected)"
    return (f"social security card generation {generation}: card={mask_card_number(data['card_number'])} "
            f"expires {data['expiry_date']} {holder}")


def cmd_sim_sscard(args: argparse.Namespace) -> int:
    from devices.smartcard.virtual_card import Behaviour, VirtualCard, load_card

    try:
        card = load_card(args.card)
    except (OSError, ValueError, KeyError, UnicodeError) as e:
        print(f"kiosk sim sscard: {args.card}: cannot load card ({type(e).__name__}: {e})", file=sys.stderr)
        return 2
    behaviour = Behaviour(get_response=args.get_response, get_response_chunk=max(0, args.chunk),
                          answer_6c_first=args.answer_6c, protect_ef06=args.protect_ef06,
                          pull_after_apdus=args.pull_after)
    vc = VirtualCard(port=args.port, behaviour=behaviour)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    connected = vc.insert(card, wait_s=2.0)
    print(f"virtual social security card {card.label!r} in vpcd 127.0.0.1:{args.port}"
          + ("" if connected else " (waiting for vpcd: is pcscd running?)"), flush=True)
    threading.Thread(target=_stdin_control, args=(vc, card), name="sscard-sim-stdin", daemon=True).start()
    reported_pull = False
    try:
        while not stop.wait(0.2):
            if vc.pulled.is_set() and not reported_pull:
                reported_pull = True
                print("card pulled mid-read; it stays out until 'insert'", flush=True)
            elif not vc.pulled.is_set():
                reported_pull = False
    finally:
        vc.remove()
    return 0


def _stdin_control(vc, card) -> None:  # noqa: ANN001
    """Line commands for a person driving the simulator by hand; EOF just ends the control."""
    from devices.smartcard.virtual_card import load_card

    for line in sys.stdin:
        words = line.split()
        try:
            if words[:1] == ["insert"] and len(words) <= 2:
                card = load_card(words[1]) if len(words) == 2 else card
                vc.insert(card, wait_s=0)
            elif words == ["remove"]:
                vc.remove()
            elif words:
                print("commands: insert [FILE.json|NAME] | remove", file=sys.stderr, flush=True)
                continue
            print(f"ok {' '.join(words)}", file=sys.stderr, flush=True)
        except (OSError, ValueError, KeyError) as e:
            print(f"error: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
