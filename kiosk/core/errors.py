"""Errors the core raises about its inputs (its own module so config and fleet_config share it
without importing each other)."""
from __future__ import annotations

from collections.abc import Sequence


class ConfigError(Exception):
    """Bad configuration. `str()` is one line per bad key, `file: key: problem`, shown to the
    technician as is; every bad key of a file is reported at once (`errors`), so one edit fixes
    them all instead of one restart per key. `key` and `problem` are the first one's."""

    def __init__(self, file: str, key: str, problem: str, *, more: Sequence[tuple[str, str]] = ()) -> None:
        self.file, self.key, self.problem = file, key, problem
        self.errors: list[tuple[str, str]] = [(key, problem), *more]
        super().__init__("\n".join(f"{file}: {k}: {p}" for k, p in self.errors))

    @classmethod
    def of(cls, file: str, errors: Sequence[tuple[str, str]]) -> ConfigError:
        """One error for several bad keys (at least one)."""
        (key, problem), *more = errors
        return cls(file, key, problem, more=more)
