"""The end of speech reaches the screen: the loudspeaker player reports when its last clip ended
(or nothing could be played), and the Voice passes that on, after the caption it ends."""
from __future__ import annotations

from pathlib import Path

from kiosk.i18n.voice import NullPlayer, Voice
from screens.voice_player import KivyPlayer


class FakeSound:
    """Kivy's Sound as the player uses it: bind(on_stop=...), play(), state, stop() fires on_stop.
    device=False: what Kivy's SDL2 audio gives when no sound device opened: a Sound whose play()
    does nothing, state stays "stop" and on_stop never comes."""

    def __init__(self, path: str, device: bool = True) -> None:
        self.path, self.on_stop, self.device, self.state = path, None, device, "stop"

    @property
    def playing(self) -> bool:
        return self.state == "play"

    def bind(self, on_stop) -> None:
        self.on_stop = on_stop

    def play(self) -> None:
        if self.device:
            self.state = "play"

    def stop(self) -> None:
        if self.state == "play":
            self.state = "stop"
            self.on_stop(self)

    def ends(self) -> None:  # the clip plays to its end
        self.stop()


def player_with(loadable: set[str], device: bool = True):
    sounds: list[FakeSound] = []

    def load(path: str):
        if Path(path).name not in loadable:
            return None
        sounds.append(FakeSound(path, device))
        return sounds[-1]

    player = KivyPlayer(loader=load)
    ends: list[int] = []
    player.on_done = lambda: ends.append(1)
    return player, sounds, ends


def test_the_player_reports_its_end_once_after_the_last_clip():
    player, sounds, ends = player_with({"a.ogg", "b.ogg"})
    player.play([Path("a.ogg"), Path("b.ogg")])
    assert [s.playing for s in sounds] == [True] and ends == []
    sounds[0].ends()
    assert [s.playing for s in sounds] == [False, True] and ends == []
    sounds[1].ends()
    assert ends == [1]


def test_a_player_that_can_load_nothing_reports_its_end_at_once():
    player, sounds, ends = player_with(set())  # no sound device: every load fails
    player.play([Path("a.ogg"), Path("b.ogg")])
    assert sounds == [] and ends == [1]


def test_a_player_without_a_sound_device_reports_its_end_at_once():
    """Seen in the live demo under Xvfb: no ALSA device, Kivy still returns Sounds, none plays."""
    player, sounds, ends = player_with({"a.ogg", "b.ogg"}, device=False)
    player.play([Path("a.ogg"), Path("b.ogg")])
    assert len(sounds) == 2 and ends == [1]


def test_a_stopped_or_replaced_clip_is_not_an_end():
    player, sounds, ends = player_with({"a.ogg", "b.ogg"})
    player.play([Path("a.ogg")])
    player.play([Path("b.ogg")])  # the first is cut off by the next prompt
    assert ends == [] and sounds[0].playing is False and sounds[1].playing
    player.stop()
    assert ends == []


def clips(tmp_path, lang: str, *keys: str) -> None:
    (tmp_path / lang / "voice").mkdir(parents=True, exist_ok=True)
    for k in keys:
        (tmp_path / lang / "voice" / f"{k}.ogg").write_bytes(b"OggS")


def test_the_voice_ends_its_caption_after_it_was_shown(tmp_path):
    """A player that cannot play reports its end inside play(): the listener must hear the
    caption first and its end after, or the caption would stay for good (seen in the live demo)."""
    clips(tmp_path, "zh_CN", "start.title")
    events: list[str] = []
    player, _sounds, _ends = player_with({"start.title.ogg"}, device=False)
    voice = Voice(player, tmp_path)
    voice.on_spoken.append(lambda spoken: events.append(f"caption {spoken.note}"))
    voice.on_done.append(lambda: events.append("done"))
    voice.say("bo", ["start.title"])  # no Tibetan clip: the Chinese stand-in, with its note
    assert events == ["caption voice.note.zh_fallback", "done"]


def test_interrupting_or_saying_nothing_ends_the_caption(tmp_path):
    clips(tmp_path, "zh_CN", "start.title")
    player = NullPlayer()
    voice = Voice(player, tmp_path)
    ends: list[int] = []
    voice.on_done.append(lambda: ends.append(1))
    voice.say("bo", ["start.title"])
    assert ends == []  # still speaking
    voice.stop()
    assert ends == [1]
    voice.say("bo", ["no.such.key"])  # nothing to play
    assert ends == [1, 1]
    swapped = NullPlayer()
    voice.player = swapped  # a player put in later reports to the same voice
    voice.say("bo", ["start.title"])
    swapped.finish()
    assert ends == [1, 1, 1]
