"""Resident ID card reader (GA/T 467 SAM module): codec, card parsers, driver, simulator.

The driver and parsers are importable without a port; the simulator needs a POSIX pty."""
