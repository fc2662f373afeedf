"""``python -m lambdaperm_tui``: the same command line as ``lambdaperm-tui``."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
