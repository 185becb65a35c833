"""The ``horneross-conformance`` command: one module per subcommand, wired in ``main``."""
