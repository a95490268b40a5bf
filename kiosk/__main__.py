"""`python -m kiosk ...` is the `kiosk` command (the updater's health check runs it this way)."""
import sys

from kiosk.terminal.cli import main

sys.exit(main())
