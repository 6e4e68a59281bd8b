"""The shared workbook -> Plan: sheets, header, rows, refs, details; the layout the officer confirmed."""
