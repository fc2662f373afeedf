"""The command line: parse arguments, run one command or start the terminal UI.

::

    lambdaperm-tui [SOURCE] [--color {auto,256,16,none}] [--no-mouse]      the TUI
    lambdaperm-tui snapshot -o FILE [SOURCE]
    lambdaperm-tui simulate --scenario FILE [--json]
    lambdaperm-tui simulate --principal P --action A --resource R [--context KEY=VALUE ...] [SOURCE] [--json]
    lambdaperm-tui who-can --action A --resource R [SOURCE] [--json]

    SOURCE: [--profile NAME] [--region NAME ...] [--endpoint-url URL] | --snapshot FILE | --demo
            [--workers N] [--quotas {auto,aws,off}]

Exit status: 0 allowed, 1 denied, 2 invalid input (or a source that cannot be opened), 3 unknown (an
answer over an inventory depends on a policy that could not be read). ``who-can``: 0 when at least one
principal is allowed, 1 when none is, 3 when none is for certain but some answers are unknown.

``--context KEY=VALUE`` is repeatable; repeating a key gives it several values (a multi-valued key):
``--context lambda:Layer=arn:...:1 --context lambda:Layer=arn:...:2``. Values are never split on commas
(tag values and ARNs may contain them).

Importing this module imports neither textual nor boto3: commands import what they need when they run,
so ``simulate --scenario`` starts in milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import re
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

if TYPE_CHECKING:
    from .analysis.resolve import Answer, Check
    from .analysis.whocan import WhoCanRow
    from .iam.evaluate import ExplainLevel
    from .iam.result import Result

_Report = TypeVar("_Report")

PROG = "lambdaperm-tui"
EXIT_ALLOWED = 0
EXIT_DENIED = 1
EXIT_INVALID = 2
EXIT_UNKNOWN = 3
EXIT_CONDITIONAL = 4

_DECISION_EXIT = {
    "allowed": EXIT_ALLOWED,
    "explicit_deny": EXIT_DENIED,
    "implicit_deny": EXIT_DENIED,
    "unknown": EXIT_UNKNOWN,
    "conditional": EXIT_CONDITIONAL,
}


class CliError(Exception):
    """A user-facing failure: printed as one line on stderr, exit status 2."""


# -- argument parsing ---------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors end as ``CliError`` so ``main`` returns 2 instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see `{self.prog} --help`)")


def _add_source_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Sub-command copies default to SUPPRESS so they never overwrite values given before the sub-command.
    default: Any = None if top else argparse.SUPPRESS
    group = parser.add_argument_group(
        "source (default: the live account from the standard AWS configuration)"
    )
    group.add_argument("--profile", metavar="NAME", default=default, help="AWS profile (live account)")
    group.add_argument(
        "--region",
        metavar="NAME",
        action="append",
        default=default,
        help="region to load; repeat for several (live account)",
    )
    group.add_argument("--endpoint-url", metavar="URL", default=default, help="custom AWS endpoint (live)")
    exclusive = group.add_mutually_exclusive_group()
    exclusive.add_argument("--snapshot", metavar="FILE", default=default, help="open a saved snapshot")
    exclusive.add_argument(
        "--demo",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="open the built-in demo account (a local moto server)",
    )
    group.add_argument(
        "--workers", metavar="N", type=_positive_int, default=default, help="concurrent AWS requests"
    )
    group.add_argument(
        "--quotas",
        choices=("auto", "aws", "off"),
        default=default,
        help="pace Lambda calls to Lambda's API request quotas: auto (default) against AWS only, aws "
        "against any endpoint (to measure their effect on a local one), off",
    )


def _add_closed_context(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--closed-context",
        action="store_true",
        help="over a source: read every request context key that neither the inventory nor --context "
        "gives as absent (the default leaves such keys open: an answer that depends on one is "
        "'conditional', exit status 4, with the condition under which it is allowed)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _version() -> str:
    from . import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``lambdaperm-tui``."""
    parser = _Parser(
        prog=PROG,
        description="Who can do what to AWS Lambda resources, and why. With no command: the terminal UI.",
        epilog="exit status: 0 allowed, 1 denied, 2 invalid input or unusable source, 3 unknown (a policy "
        "the answer depends on could not be read), 4 conditional (allowed only if conditions on request "
        "context keys that are not known hold). who-can: 0 if any principal is allowed, 4 if none is "
        "but some are conditional, 3 if none is either but some are unknown, 1 otherwise.",
    )
    _add_source_options(parser, top=True)
    parser.add_argument(
        "--color",
        choices=("auto", "256", "16", "none"),
        default=None,
        help="colours of the UI (default auto; NO_COLOR in the environment means none)",
    )
    parser.add_argument("--no-mouse", action="store_true", help="do not capture the mouse in the UI")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.set_defaults(command=None)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    snap = sub.add_parser("snapshot", help="save the inventory of a source as a JSON snapshot")
    snap.add_argument("-o", "--output", metavar="FILE", required=True, help="where to write the snapshot")
    snap.add_argument(
        "--event-invoke-configs",
        action="store_true",
        help="also read every function's asynchronous invoke configs (one ListFunctionEventInvokeConfigs "
        "call per function; without it they are left 'not read')",
    )
    _add_source_options(snap, top=False)
    snap.set_defaults(command="snapshot")

    sim = sub.add_parser(
        "simulate",
        help="evaluate one request: from a scenario file, or against a source's inventory",
        description="Either --scenario FILE (offline, exactly what the file says; .jsonl for a batch) "
        "or --principal/--action/--resource against a source.",
    )
    sim.add_argument(
        "--scenario",
        metavar="FILE",
        help="scenario file (.json) or batch (.jsonl); '-' reads standard input (a batch when it holds "
        "several JSON lines)",
    )
    sim.add_argument("--principal", metavar="P", help="ARN, service principal or 'anonymous'")
    sim.add_argument("--action", metavar="A", help="e.g. lambda:InvokeFunction")
    sim.add_argument("--resource", metavar="R", help="the exact resource ARN")
    sim.add_argument(
        "--context",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="a request context key; repeat a key for several values",
    )
    sim.add_argument("--json", action="store_true", help="print the result as JSON")
    _add_closed_context(sim)
    sim.add_argument(
        "--explain",
        choices=("relevant", "full", "summary", "none"),
        default="relevant",
        help="with --json, how much explanation: 'relevant' (default) gives the summary, the layers "
        "and, per policy, every statement whose Action/NotAction matches the action, with each "
        "element's and condition's match and values, plus 'statements_not_matching_action' (how many "
        "were left out); 'full' lists every statement; 'summary' only the summary and layers; 'none' "
        "null (the fastest batch). Over a source (--principal ...) 'relevant' is the same as 'full'",
    )
    _add_source_options(sim, top=False)
    sim.set_defaults(command="simulate")

    who = sub.add_parser("who-can", help="every principal that can (or cannot) do an action on a resource")
    who.add_argument("--action", metavar="A", required=True, help="e.g. lambda:InvokeFunction")
    who.add_argument("--resource", metavar="R", required=True, help="the exact resource ARN")
    who.add_argument("--json", action="store_true", help="print the rows as JSON")
    _add_closed_context(who)
    _add_source_options(who, top=False)
    who.set_defaults(command="who-can")
    _add_role_parsers(sub)
    from . import cli_findings

    cli_findings.add_parser(sub)
    return parser


def _add_role_parsers(sub: Any) -> None:
    """``needs`` and ``triggers``: what a function needs from its execution role, and what can invoke it."""
    needs = sub.add_parser(
        "needs",
        help="what a function's configuration needs from its execution role, each need decided",
        description="Logs, X-Ray, VPC network interfaces, event sources, destinations, DLQ, KMS and EFS: "
        "each action the configuration requires, evaluated over the role's policies, boundary and SCPs. "
        "Exit status: 0 all allowed, 1 any denied, 3 any unknown, 4 any allowed only under a condition.",
    )
    needs.add_argument("--function", metavar="ARN", required=True, help="the function's ARN (or its name)")
    needs.add_argument("--json", action="store_true", help="print the needs as JSON")
    _add_source_options(needs, top=False)
    needs.set_defaults(command="needs")
    triggers = sub.add_parser(
        "triggers",
        help="what can invoke a function, per qualifier (mappings, services, accounts, principals)",
        description="For the unqualified function, each version and alias, and each URL: event source "
        "mappings, service principals with their source, other accounts, the public and the account's "
        "principals allowed through identity policies, each with its decision.",
    )
    triggers.add_argument("--function", metavar="ARN", required=True, help="the function's ARN (or its name)")
    triggers.add_argument("--json", action="store_true", help="print the triggers as JSON")
    _add_source_options(triggers, top=False)
    triggers.set_defaults(command="triggers")


# -- entry point ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    _tolerate_encoding(sys.stdout)
    _tolerate_encoding(sys.stderr)
    parser = build_parser()
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help and --version end here
            return int(exc.code or 0) if isinstance(exc.code, int) else 0
        if args.command == "simulate":
            return _cmd_simulate(args)
        if args.command == "who-can":
            return _cmd_who_can(args)
        if args.command == "snapshot":
            return _cmd_snapshot(args)
        if args.command == "needs":
            return _cmd_needs(args)
        if args.command == "triggers":
            return _cmd_triggers(args)
        if args.command == "findings":
            from . import cli_findings

            return cli_findings.run(args)
        return _cmd_tui(args)
    except CliError as exc:
        _fail(str(exc))
        return EXIT_INVALID
    except KeyboardInterrupt:
        # The load was cancelled on the way out (aws/loader.py: its daemon workers are abandoned, not
        # joined), so the process ends now. A second Ctrl-C while it does ends it at once, without the
        # traceback Python would print from an exit handler.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): not an error of ours; silence the flush at exit.
        _silence_stdout()
        return EXIT_ALLOWED
    except Exception as exc:  # noqa: BLE001 - a crash must not exit 1, which scripts read as "denied"
        if os.environ.get("LAMBDAPERM_TUI_DEBUG"):
            raise  # the traceback, for a bug report
        _fail(f"internal error: {type(exc).__name__}: {exc} (set LAMBDAPERM_TUI_DEBUG=1 for the traceback)")
        return EXIT_INVALID


def _tolerate_encoding(stream: TextIO) -> None:
    """A terminal that cannot show a character (an ASCII locale on a bastion) gets an escape, not a crash."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="backslashreplace")


def _fail(message: str) -> None:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)


def _one_line(text: str) -> str:
    return _clean(" ".join(text.split()))


def _clean(text: str) -> str:
    """Untrusted text (policy names, Sids, ARNs, AWS error messages) as every human line shows it:
    ``inventory.text.inert`` (escaped controls and bidi, cut when huge). The --json output needs nothing:
    json.dumps writes ASCII, each such character a ``\\u`` escape."""
    from .inventory.text import inert  # here, not at the top: the --json batch path imports only the engine

    return inert(text)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# -- simulate --scenario -----------------------------------------------------------------------------


def _cmd_simulate(args: argparse.Namespace) -> int:
    request_flags = [f for f in ("principal", "action", "resource") if getattr(args, f) is not None]
    if args.scenario is not None:
        if request_flags or args.context:
            raise CliError("simulate: give either --scenario or --principal/--action/--resource, not both")
        if _source_given(args):
            raise CliError("simulate --scenario is offline: it takes no SOURCE option")
        return _simulate_scenario_file(args.scenario, as_json=args.json, explain=args.explain)
    missing = [f"--{f}" for f in ("principal", "action", "resource") if getattr(args, f) is None]
    if missing:
        raise CliError(f"simulate: missing {', '.join(missing)} (or use --scenario FILE)")
    return _simulate_inventory(args)


# Scenario files (one scenario, or a .jsonl batch) and policy files are read up to this size: a
# 2,000-scenario batch with every policy inline is about 16 MB.
INPUT_LIMIT = 64 * 1024 * 1024


def _read_bytes(path: str, what: str = "scenario file") -> bytes:
    """The bytes of an input file (``-``: standard input): a regular file of at most ``INPUT_LIMIT``
    bytes, else a one-line ``CliError`` (``iam/files.py``)."""
    from .iam.files import InputFileError, read_input_file

    try:
        return read_input_file(path, limit=INPUT_LIMIT, what=what)
    except InputFileError as exc:
        raise CliError(str(exc)) from None


def _is_json_lines(data: bytes) -> bool:
    """Standard input holds a batch when it is not one JSON value but several lines of them."""
    try:
        json.loads(data)
    except json.JSONDecodeError as exc:
        return exc.msg == "Extra data" and b"\n" in data.strip()
    except (ValueError, RecursionError):
        return False
    return False


def _parse_json(data: bytes | str) -> Any:
    """``json.loads`` with every failure turned into ``ValueError`` with a short message."""
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        from .iam.render import json_error_words

        raise ValueError(f"invalid JSON {json_error_words(exc)}") from None
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from None


# A batch writes one JSON object per line: compact separators make the output a fifth smaller and
# dumping faster; a result holds no cycles (checking for them costs time for nothing).
_dumps = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def _engine_explain(as_json: bool, explain: str) -> bool | ExplainLevel:
    """The engine's explain level for an --explain choice ("summary" and the human output need only
    the summary and layers, which "relevant" gives at a fraction of "full"'s cost)."""
    if not as_json:
        return "relevant"
    if explain == "none":
        return False
    return "full" if explain == "full" else "relevant"


def _renderer(explain: str) -> Callable[[Result], str]:
    """Turns a result into one compact JSON line (without the newline), explanation as asked for."""
    if explain == "summary":
        return lambda result: _dumps(_result_json(result, "summary"))
    from .iam.result import result_json_text

    # "none": the engine built no explanation, so the text has "explanation": null.
    return result_json_text


def _result_json(result: Result, explain: str) -> dict[str, Any]:
    """The result object of the scenario contract, with the explanation in the detail asked for."""
    if explain in ("full", "relevant"):
        return result.to_json()
    explanation = result.explanation
    # Without the explanation: its policies would be converted only to be dropped.
    body = dataclasses.replace(result, explanation=None).to_json()
    if explain == "summary" and explanation is not None:
        body["explanation"] = {
            "summary": explanation.summary,
            "layers": [x.to_json() for x in explanation.layers],
        }
    return body


def _simulate_scenario_file(path: str, *, as_json: bool, explain: str = "relevant") -> int:
    data = _read_bytes(path)
    if path.lower().endswith(".jsonl") or (path == "-" and _is_json_lines(data)):
        import gc

        # A batch allocates many short-lived containers and keeps few cycles: the cyclic collector only
        # rescans them (a few percent of a batch's CPU time, measured on benchmarks/engine.py's heavy batch).
        gc.disable()
        try:
            return _simulate_batch(path, data, as_json=as_json, explain=explain)
        finally:
            gc.enable()
    from .iam.errors import InputError
    from .iam.evaluate import evaluate
    from .iam.scenario import load_scenario

    try:
        obj = _parse_json(data)
        request, policies = load_scenario(obj)
    except (ValueError, InputError) as exc:
        message = str(exc)
        if as_json:
            sys.stdout.write(json.dumps({"error": message}) + "\n")
        raise CliError(f"{path}: {message}") from None
    result = evaluate(request, policies, explain=_engine_explain(as_json, explain))
    if as_json:
        sys.stdout.write(_renderer(explain)(result) + "\n")
    else:
        _write(sys.stdout, _human_result(result, request_line=_request_line(obj)))
    return _DECISION_EXIT[result.decision.value]


_CHUNK = 4096  # results per write
_SEEN_MAX = 100_000  # distinct lines remembered for duplicate detection


def _simulate_batch(path: str, data: bytes, *, as_json: bool, explain: str) -> int:
    """One scenario per line, one result per line, in order; blank lines are skipped."""
    from .iam.errors import InputError
    from .iam.evaluate import evaluate
    from .iam.scenario import ScenarioLoader

    loader = ScenarioLoader()
    dumps = _dumps
    level = _engine_explain(as_json, explain) if as_json else False
    render = _renderer(explain)
    out: list[str] = []
    symbols = _symbols(sys.stdout)
    any_denied = any_invalid = any_conditional = False
    # Identical lines give identical results (the engine is pure): evaluate each distinct line once.
    seen: dict[bytes, tuple[str, str]] = {}
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        cached = seen.get(line)
        if cached is None:
            try:
                request, policies = loader.load(_parse_json(line))
            except (ValueError, InputError) as exc:
                decision, body = "error", str(exc)
            else:
                result = evaluate(request, policies, explain=level)
                decision = result.decision.value
                if as_json:
                    body = render(result)
                else:
                    body = _result_words(result, symbols) + _deciders_inline(result)
            if len(seen) < _SEEN_MAX:
                seen[line] = (decision, body)
        else:
            decision, body = cached
        if decision == "error":
            any_invalid = True
            if as_json:
                out.append(dumps({"error": f"line {number}: {body}"}))
            else:
                out.append(f"line {number}: error: {_one_line(body)}")
        else:
            any_conditional = any_conditional or decision == "conditional"
            any_denied = any_denied or decision not in ("allowed", "conditional")
            out.append(body if as_json else f"line {number}: {body}")
        if len(out) >= _CHUNK:
            # Few large writes (not one per line), but bounded memory for batches of any length.
            _write(sys.stdout, out)
            out = []
    _write(sys.stdout, out)
    if any_invalid:
        print(f'{PROG}: {_clean(path)}: some lines are invalid (see their "error")', file=sys.stderr)
        return EXIT_INVALID
    if any_denied:
        return EXIT_DENIED
    return EXIT_CONDITIONAL if any_conditional else EXIT_ALLOWED


def _write_json(body: Any) -> None:
    """One answer over an inventory as a JSON line on stdout, secret-looking tag values redacted
    (``inventory.redact.redact_output``: the engine saw the real values, the output never does).

    The cyclic collector waits meanwhile (``iam.collector``): a who-can answer over a large account is
    tens of thousands of fresh containers over a heap of parsed policies, and each collection walked them
    all (most of the time this took)."""
    from .iam import collector
    from .inventory.redact import redact_output

    with collector.paused():
        text = _dumps_sharing_documents(body, redact_output)
    sys.stdout.write(text + "\n")


# Stands for a policy document while the rest of an answer is written (see _dumps_sharing_documents).
_DOCUMENT_MARK = "\x00lambdaperm-document:"
_DOCUMENT_MARK_RE = re.compile(r'"\\u0000lambdaperm-document:(\d+)\\u0000"')


def _dumps_sharing_documents(body: Any, redact: Callable[..., Any]) -> str:
    """``json.dumps(redact(body))``, the same text, with each policy document encoded once.

    A who-can answer lists every row's scenario twice (the answer's and its check's) and the same SCPs
    and resource policy in every row: most of its bytes are documents written again and again. Each
    document (by identity) is encoded once and put in the place of a mark; should the answer's own text
    hold a mark (it would be escaped exactly like one), the count differs and it is written plainly.
    """
    encoded: list[str] = []
    seen: dict[int, int] = {}
    keep: list[Any] = []  # the documents, held so their ids stay theirs

    def mark(doc: Any) -> str:
        i = seen.get(id(doc))
        if i is None:
            i = seen[id(doc)] = len(encoded)
            encoded.append(json.dumps(doc))
            keep.append(doc)
        placed[0] += 1
        return f"{_DOCUMENT_MARK}{i}\x00"

    placed = [0]
    skeleton = json.dumps(redact(body, mark))
    pieces = _DOCUMENT_MARK_RE.split(skeleton)
    if len(pieces) != 2 * placed[0] + 1:
        return json.dumps(redact(body))
    # split() alternates text and the captured document numbers.
    pieces[1::2] = [encoded[int(n)] for n in pieces[1::2]]
    return "".join(pieces)


def _write(stream: TextIO, lines: list[str]) -> None:
    if lines:
        stream.write("\n".join(lines) + "\n")
    stream.flush()


# -- human output ------------------------------------------------------------------------------------


def _symbols(stream: TextIO) -> tuple[str, str, str, str]:
    """(allowed, denied, unknown, conditional) marks: when the terminal encoding has them, else ASCII."""
    from .iam.render import ASCII_SYMBOLS, SYMBOLS

    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "".join(SYMBOLS).encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return ASCII_SYMBOLS
    return SYMBOLS


def _decision_words(decision: str, symbols: tuple[str, str, str, str]) -> str:
    from .iam.render import decision_words

    return decision_words(decision, symbols=symbols)


def _answer_words(answer: Answer, symbols: tuple[str, str, str, str]) -> str:
    """An answer's decision in words (the one renderer, ``iam/render.py``)."""
    from .iam.render import decision_words

    return _clean(
        decision_words(
            answer.decision,
            allowed_if=answer.allowed_if,
            complete=answer.allowed_if_complete,
            blocked_by=answer.blocked_by,
            symbols=symbols,
        )
    )


def _check_words(check: Check, symbols: tuple[str, str, str, str]) -> str:
    """One check's decision in words."""
    if check.result is None or check.decision == "unknown":
        return _decision_words(check.decision, symbols)
    if check.decision != check.result.decision.value:
        return _decision_words(check.decision, symbols)
    return _result_words(check.result, symbols)


def _result_words(result: Result, symbols: tuple[str, str, str, str]) -> str:
    """The engine result's decision in words (the one renderer, ``iam/render.py``)."""
    from .iam.render import decision_words

    return _clean(
        decision_words(
            result.decision.value,
            allowed_if=result.allowed_if,
            complete=result.allowed_if_complete,
            blocked_by=result.blocked_by,
            symbols=symbols,
        )
    )


def _decider_text(d: Any) -> str:
    from .iam.render import deciding_statement_words

    return _clean(deciding_statement_words(d))


def _deciders_inline(result: Result) -> str:
    if not result.decided_by:
        return ""
    return " by " + "; ".join(_decider_text(d) for d in result.decided_by)


def _blocking_layers(result: Result) -> list[str]:
    """The explanation's layer notes that say where a denial came from."""
    if result.explanation is None or result.decision.value in ("allowed", "conditional"):
        return []
    from .iam.render import layer_name

    return [
        f"{_clean(layer_name(layer))}: {_clean(layer.note or layer.verdict.value)}"
        for layer in result.explanation.layers
        if layer.verdict.blocks
    ]


def _request_line(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return None
    parts = [obj.get("principal"), obj.get("action"), obj.get("resource")]
    if not all(isinstance(p, str) for p in parts):
        return None
    return _clean(f"{parts[0]} → {parts[1]} → {parts[2]}")


def _human_result(result: Result, *, request_line: str | None = None, indent: str = "") -> list[str]:
    symbols = _symbols(sys.stdout)
    lines = [indent + _result_words(result, symbols)]
    if request_line:
        lines.append(f"{indent}  request: {request_line}")
    for d in result.decided_by:
        lines.append(f"{indent}  decided by: {_decider_text(d)}")
    for note in _blocking_layers(result):
        lines.append(f"{indent}  blocked at {note}")
    if result.explanation is not None and result.explanation.summary:
        lines.append(f"{indent}  why: {_one_line(result.explanation.summary)}")
    return lines


# -- sources ------------------------------------------------------------------------------------------


def _source_given(args: argparse.Namespace) -> bool:
    return any(
        getattr(args, name, None) for name in ("profile", "region", "endpoint_url", "snapshot", "demo")
    )


def _make_source(args: argparse.Namespace) -> Any:
    """A ``Source`` from the SOURCE options; live options cannot be mixed with --snapshot / --demo."""
    profile = getattr(args, "profile", None)
    regions = tuple(getattr(args, "region", None) or ())
    endpoint_url = getattr(args, "endpoint_url", None)
    snapshot = getattr(args, "snapshot", None)
    demo = bool(getattr(args, "demo", False))
    workers = getattr(args, "workers", None)
    quotas = getattr(args, "quotas", None)
    if snapshot and demo:
        raise CliError("--snapshot and --demo cannot be combined")
    if snapshot or demo:
        live = [o for o, v in (("--profile", profile), ("--endpoint-url", endpoint_url)) if v]
        if live:
            chosen = "--snapshot" if snapshot else "--demo"
            raise CliError(f"{' and '.join(live)} apply to a live account, not to {chosen}")
    if snapshot and regions:
        raise CliError("--region applies to a live account or --demo, not to --snapshot")
    from .aws.source import Source, SourceError

    try:
        return Source.from_options(
            profile=profile,
            regions=regions,
            endpoint_url=endpoint_url,
            snapshot=snapshot,
            demo=demo,
            workers=workers,
            quotas=quotas or "auto",
        )
    except SourceError as exc:
        raise CliError(str(exc)) from None


_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")


def _open(args: argparse.Namespace, resource: str | None = None, invoke_configs: tuple[str, ...] = ()) -> Any:
    """Load the inventory of the chosen source; every failure to open it becomes a one-line CliError.

    A question about one ``resource`` over a live account with no --region loads the region its ARN
    names, not the configured default region: otherwise a function outside the default region would be
    answered "unknown: region not loaded" although nothing stopped the tool from reading it.
    """
    source = _make_source(args)
    if resource is not None and source.kind == "live" and not source.regions:
        parts = resource.split(":")
        if len(parts) > 3 and parts[0] == "arn" and _REGION.fullmatch(parts[3]):
            source = dataclasses.replace(source, regions=(parts[3],))
    if invoke_configs and source.kind != "snapshot":
        # Async invoke configs are one call per function: read for the functions asked about only.
        source = dataclasses.replace(source, event_invoke_configs=invoke_configs)
    from .sources import open_inventory

    try:
        return open_inventory(source)
    except CliError:
        raise
    except Exception as exc:  # noqa: BLE001 - shown as one line; the causes are listed below
        if os.environ.get("LAMBDAPERM_TUI_DEBUG"):
            raise  # the traceback, for a bug report
        raise CliError(_source_error(exc)) from None


def _source_error(exc: Exception) -> str:
    """The message for a source that cannot be opened (credentials, snapshot, endpoint)."""
    from .aws.source import SourceError
    from .iam.errors import InputError
    from .inventory.snapshot import SnapshotError

    text = str(exc) or type(exc).__name__
    # Errors of our own say what to do already.
    if isinstance(exc, (SourceError, SnapshotError, InputError)):
        return text
    if isinstance(exc, ModuleNotFoundError) and exc.name is not None and exc.name.split(".")[0] == "moto":
        return "--demo needs the demo extra: pip install 'lambdaperm-tui[demo]'"
    # The rest come from the AWS path, where boto3 is loaded already.
    import botocore.exceptions as bce

    from .aws.clients import NO_CREDENTIALS, CredentialsError

    if isinstance(exc, (CredentialsError, bce.ProfileNotFound)):
        return text
    if isinstance(exc, (bce.EndpointConnectionError, bce.ConnectTimeoutError, ConnectionError)):
        return f"cannot reach the AWS endpoint: {text}"
    if isinstance(exc, (bce.NoCredentialsError, bce.PartialCredentialsError)):
        return NO_CREDENTIALS
    return f"{type(exc).__name__}: {text}"


# -- simulate / who-can over an inventory --------------------------------------------------------------


def _parse_context(items: Sequence[str]) -> dict[str, Any]:
    from .iam.errors import InputError
    from .iam.request import context_entry, context_of

    entries = []
    for item in items:
        try:
            entries.append(context_entry(item))
        except InputError as exc:
            raise CliError(f"--context {item!r}: {exc}") from None
    return context_of(entries)


def _simulate_inventory(args: argparse.Namespace) -> int:
    context = _parse_context(args.context)
    inventory = _open(args, args.resource)
    from .analysis.resolve import simulate
    from .iam.errors import InputError

    explain = args.explain if args.json else "full"
    try:
        answer = simulate(
            inventory,
            args.principal,
            args.action,
            args.resource,
            context,
            explain=explain != "none",
            open_context=not args.closed_context,
        )
    except InputError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        body = answer.to_json()
        if explain == "summary" and answer.result is not None:
            body["explanation"] = _result_json(answer.result, "summary")["explanation"]
        _write_json(body)
    else:
        _write(sys.stdout, _human_answer(answer))
    return _DECISION_EXIT.get(answer.decision, EXIT_UNKNOWN)


def _human_answer(answer: Answer) -> list[str]:
    symbols = _symbols(sys.stdout)
    request_line = _clean(f"{answer.principal} → {answer.action} → {answer.resource}")
    lines = [_answer_words(answer, symbols), f"  request: {request_line}"]
    if len(answer.checks) > 1:
        # A function URL question: AWS makes two checks; show each with its own decision.
        for i, check in enumerate(answer.checks, start=1):
            lines.append(f"  check {i}: {_clean(check.label)}: {_check_words(check, symbols)}")
            if check.result is not None:
                lines.extend(_human_result(check.result, indent="    ")[1:])
            if check.note:
                lines.append(f"      note: {_one_line(check.note)}")
    elif answer.result is not None:
        lines.extend(_human_result(answer.result)[1:])
    for reason in answer.unknown_because:
        lines.append(f"  unknown because: {_one_line(reason)}")
    for assumption in answer.assumes:
        lines.append(f"  assumes: {_one_line(assumption)}")
    for note in answer.notes:
        lines.append(f"  note: {_one_line(note)}")
    return lines


def _cmd_who_can(args: argparse.Namespace) -> int:
    inventory = _open(args, args.resource)
    from .analysis.whocan import principals_unlisted, who_can
    from .iam.errors import InputError

    try:
        rows = who_can(inventory, args.action, args.resource, open_context=not args.closed_context)
    except InputError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        from .iam import collector

        with collector.paused():  # see _write_json: many fresh containers over a large heap
            body = [row.to_json() for row in rows]
        _write_json(body)
    else:
        _write(sys.stdout, _who_can_table(rows, args))
    decisions = {row.decision for row in rows}
    if principals_unlisted(rows):
        return EXIT_UNKNOWN  # some principals could not be listed: "who" is not known in full
    if "allowed" in decisions:
        return EXIT_ALLOWED
    if "conditional" in decisions:
        return EXIT_CONDITIONAL
    return EXIT_UNKNOWN if "unknown" in decisions else EXIT_DENIED


def _row_deciders(row: WhoCanRow) -> str:
    if row.decided_by:
        return "; ".join(_decider_text(d) for d in row.decided_by)
    if row.answer.unknown_because:
        return "unknown: " + "; ".join(_one_line(r) for r in row.answer.unknown_because)
    result = row.answer.result
    if result is not None and result.explanation is not None:
        return _one_line(result.explanation.summary)
    return "-"


def _who_can_table(rows: Sequence[WhoCanRow], args: argparse.Namespace) -> list[str]:
    """A plain aligned table: principal, decision (symbol and word), deciding statements; allowed first."""
    symbols = _symbols(sys.stdout)
    order = {"allowed": 0, "conditional": 0, "unknown": 1, "explicit_deny": 2, "implicit_deny": 3}
    ordered = sorted(rows, key=lambda r: order.get(r.decision, 4))  # stable: keeps the analysis order
    table = [("PRINCIPAL", "DECISION", "DECIDED BY / WHY")]
    for row in ordered:
        words = _answer_words(row.answer, symbols)
        table.append((_clean(row.label or row.principal), words, _row_deciders(row)))
    width0 = min(max(len(r[0]) for r in table), 72)
    width1 = max(len(r[1]) for r in table)
    lines = [_clean(f"who can {args.action} on {args.resource}:")]
    lines.extend(f"{a.ljust(width0)}  {b.ljust(width1)}  {c}".rstrip() for a, b, c in table)
    allowed = sum(1 for r in rows if r.decision == "allowed")
    unknown = sum(1 for r in rows if r.decision == "unknown")
    conditional = sum(1 for r in rows if r.decision == "conditional")
    tail = f", {conditional} allowed if conditions hold" if conditional else ""
    tail += f", {unknown} unknown" if unknown else ""
    lines.append(f"{allowed} of {len(rows)} principals allowed{tail}")
    return lines


# -- needs / triggers --------------------------------------------------------------------------------

_NEEDS_EXIT = {"allowed": EXIT_ALLOWED, "denied": EXIT_DENIED, "unknown": EXIT_UNKNOWN, "conditional": 4}


def _function_report(args: argparse.Namespace, ask: Callable[[Any, str], _Report]) -> _Report:
    """Open the source with --function's async invoke configs and ask one question about that function;
    a function the inventory cannot resolve is a one-line CliError."""
    inventory = _open(args, args.function, invoke_configs=(args.function,))
    from .iam.errors import InputError

    try:
        return ask(inventory, args.function)
    except InputError as exc:
        raise CliError(str(exc)) from None


def _cmd_needs(args: argparse.Namespace) -> int:
    from .analysis.needs import function_needs
    from .iam.render import allowed_if_words, blocked_by_words, verdict_words

    report = _function_report(args, function_needs)
    if args.json:
        _write_json(report.to_json())
    else:
        symbols = _symbols(sys.stdout)
        lines = [_clean(f"needs of {report.function} (execution role {report.role or 'unknown'}):")]
        for need in report.needs:
            r = need.requirement
            verdict = verdict_words(need.decision, symbols)
            lines.append(f"{verdict}  {_clean(r.action)} on {_clean(r.resource)}")
            lines.append(f"    why: {_one_line(r.why)}")
            if need.allowed_if:
                lines.append(f"    only if: {_one_line(allowed_if_words(need.allowed_if))}")
            if need.explicit_deny:
                lines.append("    explicitly denied")
            elif need.blocked_by is not None:
                lines.append(f"    {blocked_by_words(need.blocked_by)}")
            for d in need.decided_by:
                lines.append(f"    decided by: {_decider_text(d)}")
            for reason in need.unknown_because:
                lines.append(f"    unknown because: {_one_line(reason)}")
            for assumption in need.assumes:
                lines.append(f"    assumes: {_one_line(assumption)}")
        for unread in report.unread:
            lines.append(f"? not read: {_one_line(unread)}")
        counts = {d: sum(1 for n in report.needs if n.decision == d) for d in _NEEDS_EXIT}
        lines.append(
            f"{len(report.needs)} needs: {counts['allowed']} allowed, {counts['denied']} denied, "
            f"{counts['unknown']} unknown, {counts['conditional']} conditional"
        )
        _write(sys.stdout, lines)
    return _NEEDS_EXIT[report.decision]


def _cmd_triggers(args: argparse.Namespace) -> int:
    from .analysis.triggers import function_triggers
    from .iam.render import allowed_if_words, verdict_words

    report = _function_report(args, function_triggers)
    if args.json:
        _write_json(report.to_json())
    else:
        symbols = _symbols(sys.stdout)
        lines = [_clean(f"what can invoke {report.function}:")]
        for view in report.qualifiers:
            lines.append(_clean(f"{view.label}  {view.arn}"))
            if not view.triggers:
                lines.append("    (nothing)")
            for t in view.triggers:
                words = verdict_words(t.decision, symbols)
                lines.append(f"    {words}  {_clean(t.label)}")
                if t.allowed_if:
                    lines.append(f"        only if: {_one_line(allowed_if_words(t.allowed_if))}")
                for d in t.decided_by:
                    lines.append(f"        decided by: {_decider_text(d)}")
                for reason in t.unknown_because:
                    lines.append(f"        unknown because: {_one_line(reason)}")
        for unread in report.unread:
            lines.append(f"? not read: {_one_line(unread)}")
        _write(sys.stdout, lines)
    return _NEEDS_EXIT[report.decision]


# -- snapshot and the UI ------------------------------------------------------------------------------


def _cmd_snapshot(args: argparse.Namespace) -> int:
    inventory = _open(args, invoke_configs=("*",) if args.event_invoke_configs else ())
    from .inventory.snapshot import SnapshotError, save_snapshot

    try:
        save_snapshot(inventory, args.output)
    except SnapshotError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
    print(f"{PROG}: saved {_clean(args.output)}: {_inventory_summary(inventory)}", file=sys.stderr)
    return 0


def _inventory_summary(inv: Any) -> str:
    def count(name: str) -> int:
        return len(getattr(inv, name, ()) or ())

    functions = getattr(inv, "functions", ()) or ()
    versions = sum(len(f.versions) for f in functions)
    aliases = sum(len(f.aliases) for f in functions)
    return (
        f"{len(functions)} functions ({versions} versions, {aliases} aliases), {count('layers')} layers, "
        f"{count('roles')} roles, {count('users')} users, {count('failures')} failures"
    )


def _preflight(source: Any) -> None:
    """Open what can fail before the UI takes the terminal: a snapshot is read (a missing or damaged file
    is a one-line error and exit status 2, like every other command); a live account's credentials are
    resolved, so an MFA prompt can be answered and an expired SSO token is one line, not a frozen screen."""
    if source.kind == "snapshot":
        from .inventory.snapshot import SnapshotError
        from .sources import read_early

        try:
            read_early(source)
        except SnapshotError as exc:
            raise CliError(str(exc)) from None
        return
    if source.kind != "live":
        return
    from .aws import source as sources

    try:
        # aws.source.preflight keeps the resolved factory for the UI's load, so MFA is asked once.
        sources.preflight(source)
    except Exception as exc:  # noqa: BLE001 - every way of failing is one line for the user
        if os.environ.get("LAMBDAPERM_TUI_DEBUG"):
            raise
        raise CliError(_source_error(exc)) from None


def _cmd_tui(args: argparse.Namespace) -> int:
    color = args.color
    if color is None and os.environ.get("NO_COLOR"):
        color = "none"  # https://no-color.org: any non-empty value
    if color == "auto":
        color = None
    source = _make_source(args)
    _preflight(source)
    from .ui.app import run_app

    return int(run_app(source, color=color, mouse=not args.no_mouse))


def run() -> NoReturn:
    """The program: ``main`` with the process's arguments, then exit with its status (the console
    script and ``python -m lambdaperm_tui``).

    What a command built (a snapshot's inventory, a batch's parsed policies) lives until the process
    ends, where the interpreter's final cyclic collections would walk every object still alive
    (``iam/collector.long_lived``: 0.4 s of the 0.9 s of a ``simulate`` over a 1,000-role snapshot).
    """
    from .iam.collector import long_lived

    status = main()
    long_lived()
    sys.exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()
