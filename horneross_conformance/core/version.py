"""The toolkit's version: the one place it is written (pyproject.toml reads it from here, through hatchling)."""

__version__ = "0.1.0"
