"""The check engine: what a check is, how generated events are explored, and how outcomes become verdicts."""
