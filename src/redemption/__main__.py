"""``python -m redemption``: the command line."""

from __future__ import annotations

import sys

from redemption.cli import main

if __name__ == "__main__":
    sys.exit(main())
