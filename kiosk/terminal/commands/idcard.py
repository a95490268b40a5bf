"""`kiosk device read-id` (technician smoke test of the ID card reader) and `kiosk sim idcard`
(the reader simulator on a pty).

read-id exit codes: 0 read, 1 no card in time, 3 reader not answering / cannot be opened /
line too noisy, 4 SAM out of service, 5 a card was there but could not be read.
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path

import devices.idcard
from devices.idcard.layout import CARD_TYPES

log = logging.getLogger(__name__)

CARDS_DIR = Path(devices.idcard.__file__).resolve().parent / "cards"  # sample cards ship with the driver
DEFAULT_CARD = CARDS_DIR / "resident_han.json"

EXIT_NO_CARD, EXIT_READER, EXIT_SAM, EXIT_BAD_CARD = 1, 3, 4, 5


def register(device_sub, sim_sub) -> None:  # noqa: ANN001 - argparse sub-parser actions
    from devices.idcard.simulator import FAULTS

    p = device_sub.add_parser("read-id", help="wait for an ID card and print what it holds")
    p.add_argument("--port", required=True, help="serial port or URL (serial:///dev/ttyUSB0?baud=115200)")
    p.add_argument("--json", action="store_true", help="print one JSON object (full data)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a card (default 10)")
    p.add_argument("--baud", type=int, default=115200)
    p.set_defaults(func=cmd_read_id)

    p = sim_sub.add_parser("idcard", help="serve a simulated ID card reader on a pty; prints its path",
                           description="Serve a GA/T 467 ID card reader on a pseudo-terminal. Prints the path "
                           "to open, then runs until SIGINT/SIGTERM. Commands on stdin, one per line: "
                           "present FILE.json | remove | fault MODE.")
    p.add_argument("--card", default=None, help=f"card JSON to present (default: {DEFAULT_CARD.name}; "
                   "'none' for an empty reader)")
    p.add_argument("--fault", choices=FAULTS, default="none")
    p.add_argument("--pace-baud", type=int, default=115200,
                   help="pace answers like a UART at this rate (0: as fast as possible)")
    p.add_argument("--halt-after-read", action="store_true",
                   help="like a real card, stay silent after a read until removed and presented again")
    p.set_defaults(func=cmd_sim_idcard)


def _fail(code: int, message: str) -> int:
    print(f"kiosk device read-id: {message}", file=sys.stderr)
    return code


def cmd_read_id(args: argparse.Namespace) -> int:
    from devices.idcard import reader as r

    try:
        record = r.read_once(args.port, args.timeout, args.baud)
    except r.NoCardTimeout:
        return _fail(EXIT_NO_CARD, f"no card presented within {args.timeout:g} s")
    except r.SamOutOfService:
        return _fail(EXIT_SAM, "reader out of service: its SAM security module failed its self-test "
                     "or is not authorised (call the vendor)")
    except r.ReaderGone:
        return _fail(EXIT_READER, f"cannot use {args.port}: no such port, or it was disconnected")
    except r.ReaderNotResponding:
        return _fail(EXIT_READER, f"reader not answering on {args.port} (check the cable, power and baud rate "
                     f"{args.baud})")
    except r.LineError:
        return _fail(EXIT_READER, f"reader on {args.port} answers but every answer arrives damaged "
                     "(check the cable and baud rate)")
    except r.CardReadFailed:
        return _fail(EXIT_BAD_CARD, "a card was found but could not be read; present it again")
    except Exception as e:  # noqa: BLE001 - the contract is one plain line, never a traceback
        log.debug("read-id failed", exc_info=True)
        return _fail(EXIT_READER, f"unexpected error: {type(e).__name__}")
    if args.json:
        print(json.dumps(record.to_json(), ensure_ascii=False))
    else:
        print(_masked_summary(record.to_json()))
    return 0


def _masked_summary(data: dict) -> str:
    """Without --json: show that the read worked without putting the citizen's data on screen."""
    from kiosk.core.privacy import mask_id_number, mask_name

    name = mask_name(str(data.get("name") or data.get("name_en") or ""))
    masked = mask_id_number(str(data.get("id_number") or ""))
    valid = {True: "ok", False: "BAD", None: "n/a"}[data.get("id_number_valid")]
    return (f"{data['card_type']}: name={name} id={masked} check={valid} "
            f"photo={'yes' if data.get('has_photo') else 'no'}")


def cmd_sim_idcard(args: argparse.Namespace) -> int:
    from devices.idcard.simulator import IdCardSimulator

    card = None
    if args.card != "none":
        path = Path(args.card) if args.card else DEFAULT_CARD
        try:
            card = _load_card(path)
        except (OSError, ValueError) as e:
            print(f"kiosk sim idcard: {path}: {e}", file=sys.stderr)
            return 2
    sim = IdCardSimulator(None, fault=args.fault, pace_baud=args.pace_baud or None,
                          halt_after_read=args.halt_after_read)
    try:
        if card is not None:
            sim.present(card)
    except ValueError as e:
        print(f"kiosk sim idcard: {e}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(sim.start(), flush=True)
    threading.Thread(target=_stdin_control, args=(sim,), name="idcard-sim-stdin", daemon=True).start()
    try:
        while not stop.wait(0.2):
            pass
    finally:
        sim.stop()
    return 0


def _load_card(path: Path) -> dict:
    card = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(card, dict) or card.get("card_type") not in CARD_TYPES:
        raise ValueError(f"not a card description (card_type must be one of {', '.join(CARD_TYPES)})")
    return card


def _stdin_control(sim) -> None:  # noqa: ANN001
    """Line commands for a person driving the simulator by hand; EOF just ends the control."""
    for line in sys.stdin:
        words = line.split()
        try:
            if words[:1] == ["present"] and len(words) == 2:
                sim.present(_load_card(Path(words[1])))
            elif words == ["remove"]:
                sim.remove()
            elif words[:1] == ["fault"] and len(words) == 2:
                sim.set_fault(words[1])
            elif words:
                print("commands: present FILE.json | remove | fault MODE", file=sys.stderr, flush=True)
                continue
            print(f"ok {' '.join(words)}", file=sys.stderr, flush=True)
        except (OSError, ValueError) as e:
            print(f"error: {e}", file=sys.stderr, flush=True)
