"""The demo account: a realistic account in an in-process moto server (extra ``demo``: moto).

``DemoAccount`` (``demo.server``) starts the server, installs the per-qualifier adapter (``demo.adapter``) and
seeds the story (``demo.seed``). Importing this package does not import moto or boto3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lambdaperm_tui.demo.server import DemoAccount

__all__ = ["DemoAccount"]


def __getattr__(name: str) -> object:
    # Lazy: `import lambdaperm_tui.demo` must stay cheap for the CLI.
    if name == "DemoAccount":
        from lambdaperm_tui.demo.server import DemoAccount

        return DemoAccount
    raise AttributeError(name)
