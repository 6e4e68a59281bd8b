"""Text from a workbook on the terminal: escape sequences and control characters removed.

A body name or a cell can hold ESC sequences that recolour, retitle or clear a terminal, or
a carriage return that prints one word over another; none of that reaches the screen.
"""

from __future__ import annotations

import io
import re
import sys
from contextlib import contextmanager
from typing import Iterator, TextIO

# ESC and C1 sequences (CSI ... final byte; OSC, DCS, PM, APC ... up to BEL or ST; any other
# ESC + one character), then every other control character but the line break and the tab
_SEQUENCE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
                       r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|(?=\n)|\Z)"
                       r"|\x1b[ -/]*[0-~]?")
# and the bidirectional controls, which make a terminal show text in another order than it is
# (a file name ending 'xslx.exe' shown as 'exe.xlsx'); and the line and paragraph separators
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile(r"[\n\t\u2028\u2029]")


def clean(text: str) -> str:
    """`text` as safe to print: no escape sequence, no control or bidirectional character but
    \\n and \\t."""
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


def one_line(text: str) -> str:
    """clean(text) with its line breaks and tabs as spaces: for one-line messages."""
    return _BREAKS.sub(" ", clean(text))


class _Cleaned(io.TextIOBase):
    """A text stream that cleans what is written through it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(clean(text))  # bytes raise TypeError, as on any text stream
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self._stream.errors


@contextmanager
def cleaned_output() -> Iterator[None]:
    """Everything printed to stdout and stderr meanwhile goes through clean()."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Cleaned(out), _Cleaned(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
