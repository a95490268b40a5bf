"""The evaluation comment's scrubber (kiosk/core/privacy.py scrub_comment) over what the keyboard
can now type (issue 17): numbers in Tibetan or full-width digits, numbers spelled in Tibetan or Yi
number words, the citizen's Tibetan name with a case particle written on, and a name nobody read
from a card after the words that introduce one. Rows marked NEW kept the personal data before."""
from __future__ import annotations

import pytest

from kiosk.core.privacy import scrub_comment

BO_DIGITS = str.maketrans("0123456789", "\u0f20\u0f21\u0f22\u0f23\u0f24\u0f25\u0f26\u0f27\u0f28\u0f29")
WIDE = str.maketrans("0123456789X", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff38")
TSHEG = "\u0f0b"
# Tibetan number words 0-9 (zero is two syllables) and Yi (Nuosu) 1-9
BO_WORDS = ["\u0f40\u0fb3\u0f51\u0f0b\u0f40\u0f7c\u0f62", "\u0f42\u0f45\u0f72\u0f42", "\u0f42\u0f49\u0f72\u0f66",
            "\u0f42\u0f66\u0f74\u0f58", "\u0f56\u0f5e\u0f72", "\u0f63\u0f94", "\u0f51\u0fb2\u0f74\u0f42",
            "\u0f56\u0f51\u0f74\u0f53", "\u0f56\u0f62\u0f92\u0fb1\u0f51", "\u0f51\u0f42\u0f74"]
YI_WORDS = [None, "\ua2cd", "\ua44d", "\ua315", "\ua1d6", "\ua26c", "\ua0d8", "\ua3c3", "\ua246", "\ua21e"]
PHONE_BO = "\u0f41\u0f0b\u0f54\u0f62\u0f0b"  # "phone" + tsheg
GOOD_BO = "\u0f5e\u0f56\u0f66\u0f0b\u0f5e\u0f74\u0f0b\u0f61\u0f42\u0f0b\u0f54\u0f7c\u0f0d"  # "the service is good."
WHILE_BO = "\u0f56\u0f5e\u0f72\u0f53\u0f0b"  # bzhin (while): starts like bzhi (four), is not a digit
NAME_BO_ZH = "\u624e\u897f\u5353\u739b"  # Tashi Drolma, as the ID card has it
NAME_BO = "\u0f56\u0f40\u0fb2\u0f0b\u0f64\u0f72\u0f66\u0f0b\u0f66\u0f92\u0fb2\u0f7c\u0f63\u0f0b\u0f58"
HELPED_BO = "\u0f44\u0f0b\u0f63\u0f0b\u0f62\u0f7c\u0f42\u0f66\u0f0b\u0f56\u0fb1\u0f66\u0f0d"  # "helped me."
MY_NAME_BO = "\u0f44\u0f60\u0f72\u0f0b\u0f58\u0f72\u0f44\u0f0b\u0f63\u0f0b"  # "my name (is)"
CALLED_BO = "\u0f5f\u0f7a\u0f62\u0f0d"  # "called."
YI_TEXT = "\ua262\ua18f"  # a few Yi syllables


def spell(number: str, words: list, sep: str = "") -> str:
    return sep.join(words[int(d)] for d in number)


CASES = [
    # numbers in the digits the Tibetan keyboard types, with any separators (tsheg, dash, space)
    ("13800138000".translate(BO_DIGITS), "***"),
    (PHONE_BO + "138-0013-8000".translate(BO_DIGITS) + GOOD_BO, PHONE_BO + "***" + GOOD_BO),
    ("138" + TSHEG + "0013" + TSHEG + "8000".translate(BO_DIGITS), "***"),
    ("51332719620805028".translate(BO_DIGITS) + "X ok", "*** ok"),
    ("51332719620805028X".translate(WIDE) + " ok", "*** ok"),
    ("\u0f2a\u0f2b\u0f2c\u0f2d\u0f2e\u0f2f\u0f30", "***"),  # NEW: Tibetan half digits
    # spelled out in number words, as a Tibetan or Yi writer may (NEW)
    (spell("13800138000", BO_WORDS, TSHEG) + TSHEG + GOOD_BO, "***" + TSHEG + GOOD_BO),
    (spell("1381234567", YI_WORDS) + " " + YI_TEXT, "*** " + YI_TEXT),
    # short numbers and words that only look like number words stay
    (GOOD_BO + "302".translate(BO_DIGITS) + " " + "2".translate(BO_DIGITS), GOOD_BO + "302".translate(BO_DIGITS) + " "
     + "2".translate(BO_DIGITS)),
    (WHILE_BO + BO_WORDS[4] + TSHEG + BO_WORDS[5], WHILE_BO + BO_WORDS[4] + TSHEG + BO_WORDS[5]),
    (YI_WORDS[1] + YI_WORDS[2] + YI_TEXT, YI_WORDS[1] + YI_WORDS[2] + YI_TEXT),
    # a name nobody read from a card, after "my name is" (NEW)
    (MY_NAME_BO + "\u0f56\u0f40\u0fb2\u0f0b\u0f64\u0f72\u0f66\u0f0b" + CALLED_BO + GOOD_BO,
     MY_NAME_BO + "***" + CALLED_BO + GOOD_BO),
    ("\u6211\u53eb\u5f20\u4e09\u4e30\uff0c\u670d\u52a1\u5f88\u597d", "\u6211\u53eb***,\u670d\u52a1\u5f88\u597d"),
    ("my name is Tashi Dorje, thanks", "my name is ***, thanks"),
]

# (comment, the citizen's name from the card, the scrubbed comment)
WITH_NAMES = [
    (NAME_BO + "\u0f66" + TSHEG + HELPED_BO, NAME_BO_ZH, "***\u0f66" + TSHEG + HELPED_BO),  # NEW: -s written on
    (NAME_BO + "\u0f60\u0f72" + TSHEG + GOOD_BO, NAME_BO_ZH, "***\u0f60\u0f72" + TSHEG + GOOD_BO),  # NEW: -'i
    (NAME_BO + "\u0f62" + TSHEG + GOOD_BO, NAME_BO, "***\u0f62" + TSHEG + GOOD_BO),  # NEW: -r
    (NAME_BO + "\u0f53\u0f72" + TSHEG, NAME_BO, NAME_BO + "\u0f53\u0f72" + TSHEG),  # -ni is another syllable: not a particle
    (YI_TEXT + "\u5f20\u4e09\u4e30" + YI_TEXT, "\u5f20\u4e09\u4e30", YI_TEXT + "***" + YI_TEXT),  # after Yi words
    (YI_TEXT + "\ua009\ua0bf\ua0c5" + YI_TEXT, "\ua009\ua0bf\ua0c5", YI_TEXT + "***" + YI_TEXT),  # a Yi name amid Yi
]


@pytest.mark.parametrize(("comment", "scrubbed"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_scrub_new_scripts(comment, scrubbed):
    assert scrub_comment(comment) == scrubbed


@pytest.mark.parametrize(("comment", "name", "scrubbed"), WITH_NAMES, ids=[str(i) for i in range(len(WITH_NAMES))])
def test_scrub_names_in_new_scripts(comment, name, scrubbed):
    assert scrub_comment(comment, name) == scrubbed


def test_a_comment_typed_on_the_tibetan_keyboard_loses_the_number():
    """The digits row of the Tibetan layout types Tibetan digits: what the keyboard makes is scrubbed."""
    from kiosk.ime import tibetan

    typed = "".join(tibetan.compose(k) for k in "13800138000")
    assert typed == "13800138000".translate(BO_DIGITS)
    assert scrub_comment(GOOD_BO + typed) == GOOD_BO + "***"
