"""Kiosk: runtime core of the 24-hour government self-service terminal."""

__version__ = "0.1.0"
