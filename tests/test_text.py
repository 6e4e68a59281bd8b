"""Text made to fit (plantools.text): one definition of each way plantools shortens text."""

from hypothesis import given
from hypothesis import strategies as st

from plantools.text import cut, cut_at_word, joined, short

WORDS = st.lists(st.text(alphabet="abcdefghij,.;", min_size=1, max_size=12), min_size=1, max_size=30)


@given(WORDS, st.integers(min_value=2, max_value=80))
def test_cut_at_word_fits_and_never_splits_a_word(words, limit):
    text = " ".join(words)
    got = cut_at_word(text, limit)
    if len(text) <= limit:
        assert got == text
        return
    kept = got.removesuffix("…")
    assert got.endswith("…") and text.startswith(kept)
    assert len(got) <= limit or " " not in kept  # only a first word longer than the limit overflows
    assert kept == text[:len(kept)] and (text[len(kept):len(kept) + 1] in (" ", ",", ";", ".") or " " not in kept)


def test_cut_is_anywhere_and_short_is_on_one_line():
    assert cut("abcdefgh", 5) == "abcd…" and cut("abcde", 5) == "abcde"
    assert short("a\n  b\tc", 60) == "a b c"
    assert short("x" * 100, 10) == "x" * 9 + "…"


def test_joined_drops_list_markers_and_adds_semicolons_only_between_clauses():
    assert joined("- Draft it\n• Agree it.\n2) Publish\n\n  it  now") == "Draft it; Agree it. Publish; it now"
