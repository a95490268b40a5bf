"""Social insurance record certificate against the real demo platform: identify, face, choose,
preview (masked), print, evaluate; and what the citizen is told when something goes wrong."""
from __future__ import annotations

from tests.support.flowkit import DEMO_ID, JPEG, NOT_JPEG, citizen, identity, secrets_of

from flows.engine import CANCELLED, COMPLETED, FAILED, TIMED_OUT
from flows.identify import MAX_FACE_ATTEMPTS

FLOW = "social_insurance_certificate"


def identified(h, source: str = "idcard") -> None:  # noqa: ANN001
    assert h.step == "identify" and h.view.kind == "identify"
    assert h.view.data["accept"] == ("idcard", "sscard", "qrcode")
    h.send("card_read", identity=identity(source=source))
    assert h.step == "face" and h.view.kind == "face"
    h.send("face_captured", jpeg=JPEG)


def test_happy_path_in_tibetan_masks_the_preview_and_prints_once(harness):
    h = harness(FLOW, lang="bo")
    identified(h)
    assert h.step == "choose_type"
    assert h.option_ids() == ["record", "contributions", "pension"]  # she receives a pension
    h.choose("contributions")
    assert h.step == "choose_period" and h.option_ids() == ["2025", "all"]
    h.choose("2025")
    assert h.step == "preview" and h.view.kind == "result"
    shown = h.texts()
    assert "513327********0282" in shown and "泽***" in shown
    for secret in secrets_of():
        assert secret not in shown
    assert "ཟླ་བ་ 180" in shown  # months paid, in Tibetan
    h.choose("print")
    assert h.step == "printed" and h.view.data["print_error"] is None
    doc = h.printer.printed[-1]
    assert doc.kind == "si_certificate" and doc.lang == "bo"
    assert any(getattr(b, "data", "").startswith(h.server.url + "/v/SIC") for b in doc.blocks)
    assert [j["state"] for j in h.journal.rows("print_jobs")] == ["done"]
    assert h.option_ids()[-2:] == ["evaluate", "done"]
    h.choose("evaluate")
    h.choose("5")
    h.send("toggle", option="fast")
    h.choose("submit")
    h.choose("skip")
    assert h.outcome == COMPLETED
    row = h.journal.rows("evaluations")[-1]
    assert row["flow"] == FLOW and row["level"] == 5 and row["reasons"] == '["fast"]'


def test_a_platform_identity_code_works_instead_of_a_card(harness):
    h = harness(FLOW)
    h.send("code_scanned", symbology="QRCODE", text=citizen()["identity_token"])
    assert h.step == "face"
    assert h.session.personal("id_number") == DEMO_ID
    h.send("face_captured", jpeg=JPEG)
    assert h.step == "choose_type"


def test_an_unknown_identity_code_says_so_and_waits_for_another(harness):
    h = harness(FLOW)
    h.send("code_scanned", symbology="QRCODE", text="IDT-NOT-A-REAL-TOKEN")
    assert h.step == "identify" and h.view.data["reason"] == "unknown_token"
    assert h.view.data["notice"] is not None
    h.send("card_read", identity=identity())
    assert h.step == "face"


def test_card_error_and_card_removed_mid_read_keep_the_step_with_a_notice(harness):
    h = harness(FLOW)
    h.send("card_error", source="idcard", reason="read_failed")
    assert h.step == "identify" and h.view.data["reason"] == "read_failed"
    h.send("card_removed", source="idcard")
    assert h.step == "identify" and h.view.data["reason"] == "removed"
    assert "卡片读取完成前被拿走了" in h.texts()
    assert h.runner.history == ["identify"]  # notices do not re-enter the step
    h.send("card_read", identity=identity())
    assert h.step == "face"


def test_a_card_the_service_does_not_accept_is_refused_plainly(harness):
    def no_readers(name: str):  # noqa: ANN202
        from devices.status import FAULT, DeviceStatus

        return DeviceStatus(FAULT, "disconnected", "") if name in ("idcard", "sscard") else None

    h = harness(FLOW, device_status=no_readers)
    assert h.view.data["accept"] == ("qrcode",)  # only what works now
    h.send("card_read", identity=identity())
    assert h.step == "identify" and h.view.data["reason"] == "not_accepted"


def test_face_not_found_in_time_offers_a_retry_and_says_staff_can_help(harness):
    h = harness(FLOW)
    h.send("card_read", identity=identity())
    h.send("face_check", check="no_face")
    assert h.view.data["guidance"] == "no_face" and h.view.data["hint"] is not None
    assert "09:00-17:30" in h.texts()  # the staff alternative is on the face screen itself
    for attempt in range(1, MAX_FACE_ATTEMPTS + 1):
        assert h.step == "face"
        h.expire()
        assert h.step == "face_failed" and h.view.data["reason"] == "face:no_face"
        assert "09:00-17:30" in h.texts()
        if attempt < MAX_FACE_ATTEMPTS:
            assert h.option_ids() == ["retry", "home"]
            h.choose("retry")
    assert h.option_ids() == ["home"]  # after three tries: the counter, not a fourth try
    h.choose("home")
    assert h.outcome == FAILED


def test_face_guidance_does_not_extend_the_face_deadline(harness):
    h = harness(FLOW)
    h.send("card_read", identity=identity())
    deadline = h.runner.deadline
    h.clock.advance(30)
    h.send("face_check", check="move_closer")
    assert h.runner.deadline == deadline


def test_a_face_that_does_not_match_is_a_clear_error(harness, server):
    h = harness(FLOW)
    h.send("card_read", identity=identity())
    h.send("face_captured", jpeg=NOT_JPEG)
    assert h.step == "face_failed" and h.view.data["reason"] == "face:mismatch"
    h.choose("retry")
    h.send("face_captured", jpeg=bytearray(JPEG))
    assert h.step == "choose_type"
    assert server.services.face_checks == 2


def test_platform_down_while_loading_types_says_so_and_retries(harness, server):
    h = harness(FLOW)
    h.send("card_read", identity=identity())
    h.switch.hold.add("loading_types")
    h.send("face_captured", jpeg=JPEG)
    assert h.step == "loading_types" and not h.runner.interactive
    server.set_fault("down")
    h.switch.release()
    assert h.step == "error" and h.view.data["reason"] in ("unreachable", "timeout")
    assert "09:00-17:30" in h.texts()
    server.set_fault("none")
    h.switch.hold.clear()
    h.choose("retry")
    assert h.step == "choose_type"


def test_a_garbled_reply_is_a_fault_not_a_crash(harness, server):
    h = harness(FLOW)
    h.send("card_read", identity=identity())
    h.send("face_captured", jpeg=JPEG)
    server.set_fault("wrong_shape")
    h.choose("record")
    assert h.step == "error" and h.view.data["reason"] == "bad_reply"


def test_platform_timeout_at_a_platform_step(harness):
    h = harness(FLOW)
    h.send("card_read", identity=identity())
    h.drive(until="verifying")
    h.expire()
    assert h.step == "error" and h.view.data["reason"] == "timeout"
    h.switch.release()  # the late verdict is dropped: the citizen has moved on
    assert h.step == "error"
    h.choose("retry")
    assert h.step == "face"  # the photo is gone: take a new one


def test_a_pension_certificate_is_offered_only_to_pensioners(harness):
    h = harness(FLOW, id_number="510107197906240353")  # contributing, not retired
    h.send("card_read", identity=identity("510107197906240353"))
    h.send("face_captured", jpeg=JPEG)
    pension = next(o for o in h.view.options if o.id == "pension")
    assert not pension.enabled and pension.reason is not None
    h.choose("pension")
    assert h.step == "choose_type"


def test_an_expired_verification_says_so(harness, server):
    h = harness(FLOW)
    h.send("card_read", identity=identity())
    h.send("face_captured", jpeg=JPEG)
    server.services.reset()  # the platform forgot the verification
    h.choose("record")
    assert h.step == "error" and h.view.data["reason"] == "rejected:verification_required"


def test_cancel_works_everywhere_but_while_paper_moves(harness):
    h = harness(FLOW)
    h.send("card_read", identity=identity())
    h.send("face_captured", jpeg=JPEG)
    h.choose("record")
    h.drive(until="printing")
    assert h.runner.cancel() is False
    h.switch.hold.clear()
    h.switch.release()
    assert h.step == "printed"
    assert h.runner.cancel() is True and h.outcome == CANCELLED


def test_walking_away_at_a_choice_ends_the_session(harness):
    h = harness(FLOW)
    h.send("card_read", identity=identity())
    h.send("face_captured", jpeg=JPEG)
    assert h.step == "choose_type"
    h.expire()
    assert h.outcome == TIMED_OUT


def test_a_reader_unplugged_on_the_identify_step_changes_what_it_asks_for_at_once(harness):
    from devices.status import FAULT, DeviceStatus

    down: set[str] = set()
    h = harness(FLOW, device_status=lambda name: DeviceStatus(FAULT, "disconnected", "") if name in down else None)
    assert "idcard" in h.view.data["accept"]
    deadline = h.runner.deadline
    down.add("idcard")
    h.send("device_status", name="idcard", state=FAULT, reason="disconnected")
    assert h.step == "identify" and "idcard" not in h.view.data["accept"]
    assert h.runner.deadline == deadline  # nobody touched the screen: the timeout still runs
    assert h.runner.history == ["identify"]
    down.clear()
    h.send("device_status", name="idcard", state="ok", reason="")
    assert "idcard" in h.view.data["accept"]


def test_a_card_the_platform_does_not_know_is_a_definite_answer_without_retry(harness):
    from flows.ports import Identity

    h = harness(FLOW)
    h.send("card_read", identity=Identity(source="idcard", name="某某", id_number="110101199001010013",
                                          card_type="resident"))
    h.drive(until="error")
    assert h.step == "error" and h.view.data["reason"] == "rejected:citizen_not_found"
    assert h.option_ids() == ["home"]  # asking again would give the same answer
