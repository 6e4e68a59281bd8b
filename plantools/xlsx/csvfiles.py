"""The CSV files plantools writes and staff open in Excel (the manifest, the ledgers, a
history): text Excel would run as a formula kept as text, and read back whatever Excel saved.
"""

from __future__ import annotations

# how a cell that Excel would take for a formula (or a field that would break a row) starts
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(values: list) -> list:
    """Text that Excel would run as a formula when it opens the CSV ("=...", "+...", "-...",
    "@...") gets a leading apostrophe, so it shows as the text it is."""
    return [f"'{v}" if isinstance(v, str) and v[:1] in FORMULA_START else v for v in values]


def csv_unsafe(value: str) -> str:
    """A value csv_safe kept as text, as it was."""
    return value[1:] if value[:1] == "'" and value[1:2] in FORMULA_START else value


def decode(data: bytes) -> str:
    """A CSV file's text whatever Excel saved it as: UTF-8 (with or without BOM) or, re-saved
    on a Windows desktop, cp1252; failing both, byte for byte, so it is never unreadable."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")
