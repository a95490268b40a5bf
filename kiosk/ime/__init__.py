"""Input methods for the on-screen keyboard: Chinese pinyin (librime), Chinese handwriting (zinnia),
Tibetan (the national standard layout, composing stacks) and Yi (Liangshan romanisation), plus the
one search matcher the guide search uses for all four scripts.

Pure engines: no Kivy here. The keyboard widget (screens/keyboard.py) and the CLI
(`kiosk ime ...`, kiosk/terminal/commands/ime.py) drive the same objects, so the CLI contract checks
what the citizen's taps produce.
"""
