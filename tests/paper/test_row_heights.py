"""Row heights from printed text (plantools/paper/printed.py): every width ends, however narrow the
printed column, and the count of lines grows with the text, never below the lines typed."""

import signal

from hypothesis import given, settings
from hypothesis import strategies as st

from plantools.paper import printed
from plantools.paper.printed import CALIBRI, DEJAVU_SANS, text_height, text_lines


def _stop(signum, frame):
    raise TimeoutError("text_lines did not end")


def lines_within_five_seconds(text: str, width: float, font=CALIBRI) -> int:
    signal.signal(signal.SIGALRM, _stop)
    signal.alarm(5)  # a loop that never ends fails here instead of hanging the suite
    try:
        return text_lines(text, width, 9, font)
    finally:
        signal.alarm(0)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab -\n"), max_size=60),
       width=st.floats(min_value=0.0, max_value=200), font=st.sampled_from([CALIBRI, DEJAVU_SANS]))
def test_text_lines_ends_and_counts_at_least_each_typed_line(text, width, font):
    lines = lines_within_five_seconds(text, width, font)
    assert text.count("\n") + 1 <= lines <= len(text) + text.count("\n") + 1


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12), max_size=40),
       width=st.floats(min_value=3, max_value=60))
def test_more_text_never_takes_fewer_lines_and_a_wider_column_never_more(words, width):
    text = " ".join(words)
    assert text_lines(text + " more", width, 9, CALIBRI) >= text_lines(text, width, 9, CALIBRI)
    assert text_lines(text, width + 5, 9, DEJAVU_SANS) <= text_lines(text, width, 9, DEJAVU_SANS)


def test_a_column_narrower_than_one_character_holds_one_a_line():
    assert lines_within_five_seconds("abcd", 0.0) == 4


def test_the_taller_of_the_two_programs_wrapping_is_the_height():
    # measured in LibreOffice's PDF of the bundled plan: this owner cell of action 1.1 printed
    # 15 lines with Carlito (Calibri's metrics) and 13 with DejaVu Sans, in a column 14.71 wide
    # (15.43 as Excel shows it); Excel keeps a few pixels more of the width empty than LibreOffice
    who = ("The Independent Chair\nAssistant Director of Children's Social Care and Youth Inclusion\n"
           "The Director of Education\nSenior Representative from the Police\nSenior Representative from the "
           "CCG\nSenior Representation from Housing\nMSCB Business Manager")
    calibri, dejavu = text_lines(who, 14.71, 9, CALIBRI), text_lines(who, 14.71, 9, DEJAVU_SANS)
    assert 15 <= calibri <= 18 and 13 <= dejavu <= 14
    assert text_height(who, 14.71, 9) == max(calibri * CALIBRI.line, dejavu * DEJAVU_SANS.line) * 9


@given(st.floats(0, 200, allow_nan=False), st.sampled_from([8, 9, 10, 11, 14]), st.integers(0, 400))
def test_the_quick_one_line_answer_is_the_widest_character_bound(width, size, count):
    """fits_on_one_line counts characters against a cached limit per column: the limit must
    say exactly what the bound it stands for says (every character its font's widest)."""
    bound = all(count * size * printed.WIDEST[font] / 1000 <= printed.room(width, font) for font in printed.FONTS)
    assert printed.fits_on_one_line("x" * count, width, size) == bound
