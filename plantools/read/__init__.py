"""The shared workbook -> Plan, a module a job: grid, refs, key, header, details, rows and
workbook (load_plan); the layout the officer saved (saved) and confirmed (confirm)."""
