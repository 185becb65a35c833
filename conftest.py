"""Root conftest: plugins the toolkit's own tests use (pytest wants pytest_plugins declared only here)."""

pytest_plugins = ["pytester"]
