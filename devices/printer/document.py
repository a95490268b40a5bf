"""A small receipt document model. Texts are final strings: translation happens before printing.

A bilingual row carries the minority-language text first and the Chinese beneath (`zh`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Title:
    text: str
    zh: str | None = None


@dataclass(frozen=True)
class Row:
    key: str
    value: str
    key_zh: str | None = None
    value_zh: str | None = None  # an official value also in Chinese (printed on A4; receipts omit it)


@dataclass(frozen=True)
class Paragraph:
    text: str
    zh: str | None = None
    size: str = "normal"  # normal | large | huge (a ticket number)


@dataclass(frozen=True)
class QRCode:
    data: str
    caption: str | None = None


@dataclass(frozen=True)
class Barcode:
    """A Code 128 barcode (ASCII data: a receipt number, an application number)."""

    data: str
    caption: str | None = None  # printed beneath; defaults to the data itself


@dataclass(frozen=True)
class Divider:
    pass


@dataclass(frozen=True)
class Footer:
    time: str
    terminal_id: str


Block = Union[Title, Row, Paragraph, QRCode, Barcode, Divider, Footer]


@dataclass(frozen=True)
class Document:
    kind: str  # e.g. "queue_ticket": what the journal records about the job
    lang: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
