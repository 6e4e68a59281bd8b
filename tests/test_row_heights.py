"""Row heights from wrapped text: every width ends, however narrow the printed column."""

import signal

from hypothesis import given, settings, strategies as st

from plantools.workbook import wrapped_lines


def _stop(signum, frame):
    raise TimeoutError("wrapped_lines did not end")


def lines_within_five_seconds(text: str, chars: float) -> int:
    signal.signal(signal.SIGALRM, _stop)
    signal.alarm(5)  # a loop that never ends fails here instead of hanging the suite
    try:
        return wrapped_lines(text, chars)
    finally:
        signal.alarm(0)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab \n"), max_size=60),
       chars=st.floats(min_value=0.01, max_value=200))
def test_wrapped_lines_ends_and_counts_at_least_each_typed_line(text, chars):
    lines = lines_within_five_seconds(text, chars)
    assert text.count("\n") + 1 <= lines <= len(text) + text.count("\n") + 1


def test_a_column_narrower_than_one_character_holds_one_a_line():
    assert lines_within_five_seconds("abcd", 0.5) == 4
