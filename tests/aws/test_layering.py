"""The shape of the load code (issue 9, "Loader and sources"): ``aws/`` never imports the demo (choosing a
source is ``lambdaperm_tui.sources``' job), the demo's seed and server do not import each other in a
cycle, and load events are stdlib data next to the model. Read from the source text, so an import inside
a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "lambdaperm_tui"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute (relative imports resolved against the package)."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = parts[: len(parts) - node.level] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            out.add(module)
            out.update(f"{module}.{a.name}" for a in node.names)
    return out


def test_aws_does_not_depend_on_the_demo() -> None:
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(m for m in _imports(p) if m.startswith("lambdaperm_tui.demo"))
        for p in sorted((PACKAGE / "aws").glob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_demo_seed_and_server_do_not_import_each_other_both_ways() -> None:
    seed = _imports(PACKAGE / "demo" / "seed.py")
    server = _imports(PACKAGE / "demo" / "server.py")
    assert not ("lambdaperm_tui.demo.server" in seed and "lambdaperm_tui.demo.seed" in server)
    assert not any(m.startswith("lambdaperm_tui.demo.server") for m in seed)


def test_load_events_are_stdlib_data_of_the_inventory_layer() -> None:
    imported = _imports(PACKAGE / "inventory" / "events.py")
    ours = {m for m in imported if m.startswith("lambdaperm_tui")}
    assert ours <= {m for m in ours if m.startswith("lambdaperm_tui.inventory")}
    assert not any(m.split(".")[0] in ("boto3", "botocore", "textual") for m in imported)
    # The old names stay importable from the loader, as the UI and benchmarks use them.
    from lambdaperm_tui.aws import loader
    from lambdaperm_tui.inventory import events

    for name in events.__all__:
        assert getattr(loader, name) is getattr(events, name), name
