"""Sub-commands of `kiosk device ...` and `kiosk sim ...`, one module per device family.

Which modules: each device family names its own (`DeviceFamily.cli` in devices/registry.py), so a
family registered there brings its commands. Each module has `register(device_sub, sim_sub)`
adding its parsers; a handler returns the exit code and prints one plain line on stderr on
failure (never a traceback)."""
from __future__ import annotations

import importlib
import logging

from devices import registry

log = logging.getLogger(__name__)


def register_all(device_sub, sim_sub) -> None:  # noqa: ANN001 - argparse sub-parser actions
    for family in registry.families():
        if not family.cli:
            continue
        try:
            module = importlib.import_module(family.cli)
        except ModuleNotFoundError as e:
            if e.name == family.cli:
                continue  # that device family's commands are not in this build
            raise
        module.register(device_sub, sim_sub)
