"""The plan as plain data, and the rules about it: columns, RAG, deadlines, bodies, months, checks."""
