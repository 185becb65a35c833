"""The encoder check: whether a program in any language writes exactly the bytes ``JSON.stringify`` writes.

A sender signs ``JSON.stringify(payload)``, and no mainstream encoder outside JavaScript writes those bytes by
default. ``horneross-conformance check-encoder`` feeds an encoder the canonical vectors and generated documents,
one JSON text per line, and names the property at fault in the first output that differs.
"""
