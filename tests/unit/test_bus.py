from __future__ import annotations

import threading

import pytest

from kiosk.core.bus import Bus
from kiosk.core.events import CardRemoved, DeviceRead


def test_events_from_threads_are_delivered_on_the_draining_thread():
    woken = []
    bus = Bus(wakeup=lambda: woken.append(1))
    seen = []
    bus.subscribe(DeviceRead, lambda e: seen.append((e.value, threading.get_ident())))
    threads = [threading.Thread(target=bus.post, args=(DeviceRead("idcard", i),)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == []  # nothing is delivered on the posting threads
    assert len(woken) == 5
    assert bus.drain() == 5
    assert sorted(n for n, _ in seen) == [0, 1, 2, 3, 4]
    assert {tid for _, tid in seen} == {threading.get_ident()}


def test_a_failing_handler_does_not_stop_delivery():
    bus = Bus()
    seen = []
    bus.subscribe(CardRemoved, lambda e: 1 / 0)
    bus.subscribe(CardRemoved, lambda e: seen.append("second"))
    bus.subscribe(object, lambda e: seen.append("every"))
    bus.post(CardRemoved("idcard"))
    bus.post(CardRemoved("sscard"))
    assert bus.drain() == 2
    assert seen == ["second", "every", "second", "every"]


def test_handlers_get_only_their_class():
    bus = Bus()
    seen = []
    bus.subscribe(CardRemoved, seen.append)
    bus.post(DeviceRead("scanner", "x"))
    bus.drain()
    assert seen == []


def test_a_string_topic_is_refused_where_it_is_posted():
    with pytest.raises(TypeError, match="events.py"):
        Bus().post("device.status")


def test_unsubscribe():
    bus = Bus()
    seen = []
    off = bus.subscribe(CardRemoved, lambda e: seen.append(1))
    off()
    bus.post(CardRemoved("idcard"))
    bus.drain()
    assert seen == [] and not bus.pending()
