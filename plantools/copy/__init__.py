"""The board's monthly copy: the comparison with last month, highlights, exceptions, change log, sheets."""
