"""Errors the core raises about its inputs (its own module so config and fleet_config share it
without importing each other)."""
from __future__ import annotations


class ConfigError(Exception):
    """Bad configuration; `str()` is the one line shown to the technician."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file, self.key, self.problem = file, key, problem
        super().__init__(f"{file}: {key}: {problem}")
