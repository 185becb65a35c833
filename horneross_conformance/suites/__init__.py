"""The conformance suites that run against a user's target, one module per role."""
