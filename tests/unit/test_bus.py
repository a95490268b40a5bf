from __future__ import annotations

import threading

from kiosk.core.bus import Bus


def test_events_from_threads_are_delivered_on_the_draining_thread():
    woken = []
    bus = Bus(wakeup=lambda: woken.append(1))
    seen = []
    bus.subscribe("card", lambda e: seen.append((e.data["n"], threading.get_ident())))
    threads = [threading.Thread(target=bus.post, args=("card",), kwargs={"n": i}) for i in range(5)]
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
    bus.subscribe("x", lambda e: 1 / 0)
    bus.subscribe("x", lambda e: seen.append("second"))
    bus.subscribe("*", lambda e: seen.append("wildcard"))
    bus.post("x")
    bus.post("x")
    assert bus.drain() == 2
    assert seen == ["second", "wildcard", "second", "wildcard"]


def test_unsubscribe():
    bus = Bus()
    seen = []
    off = bus.subscribe("x", lambda e: seen.append(1))
    off()
    bus.post("x")
    bus.drain()
    assert seen == [] and not bus.pending()
