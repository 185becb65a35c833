"""``python -m horneross_conformance.cli.main``: the same command as ``horneross-conformance``."""

import sys

from horneross_conformance.cli.main import main

sys.exit(main())
