"""The old home of `load_plan`, kept only because cli.py still imports it from here; the
reader itself is cut by job into grid, refs, key, header, details, rows and workbook."""

from plantools.read.workbook import load_plan

__all__ = ["load_plan"]
