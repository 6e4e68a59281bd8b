"""Files on disk, below the plan: what a file is, its parts, lossless edits, atomic writes, locks."""
