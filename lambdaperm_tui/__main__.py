"""``python -m lambdaperm_tui``: the same command line as ``lambdaperm-tui``."""

from __future__ import annotations

from .cli import run

if __name__ == "__main__":
    run()
