"""Which service guides a search matches: the demo platform's search endpoint and the service guide
flow (which filters the list it already holds as the citizen types, without a round trip per key)
both call this, and this is kiosk/ime/match.py - the one matcher for Chinese (characters, full
pinyin, initials, fuzzy), Tibetan (tsheg- and space-tolerant), Yi (syllables or romanisation) and
English. See that module for the rules and the ranking.
"""
from __future__ import annotations

from kiosk.ime.match import normalize, score, search

__all__ = ["normalize", "score", "search"]
