"""Returned packs: read, matched against what was sent and the workbook, written in, ledgered."""
