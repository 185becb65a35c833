"""Event files and logs read and judged in bulk: the engine of ``horneross-conformance validate``."""
