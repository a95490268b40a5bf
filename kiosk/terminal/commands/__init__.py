"""Sub-commands of `kiosk device ...` and `kiosk sim ...`, one module per device family.

Each module has `register(device_sub, sim_sub)` adding its parsers; a handler returns the exit
code and prints one plain line on stderr on failure (never a traceback)."""
from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)

MODULES = ("idcard", "smartcard", "printer", "scanner")


def register_all(device_sub, sim_sub) -> None:  # noqa: ANN001 - argparse sub-parser actions
    for name in MODULES:
        try:
            module = importlib.import_module(f"kiosk.terminal.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"kiosk.terminal.commands.{name}":
                continue  # that device family is not in this build
            raise
        module.register(device_sub, sim_sub)
