"""``python -m unloadlab ...``: the same scenarios in a terminal.

Bad input exits with status 2 and one line on stderr naming the bad value and what is
accepted; never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, NoReturn, Sequence

from . import minifilter, rules
from .ntstatus import StatusError
from .trace import ScenarioError, Trace, format_trace

__all__ = ["main"]


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _add_minifilter(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("minifilter", help="simulate a minifilter unload request")
    p.add_argument("--trigger", required=True, choices=[t.value for t in minifilter.Trigger],
                   help="who asks for the unload")
    p.add_argument("--no-unload-callback", action="store_true", help="register no FilterUnloadCallback")
    p.add_argument("--callback-returns", default="STATUS_SUCCESS", metavar="STATUS",
                   help="what FilterUnloadCallback returns: a name or 0x-hex (default STATUS_SUCCESS)")
    p.add_argument("--refuse-only-if-not-mandatory", action="store_true",
                   help="the callback returns --callback-returns only when Flags lacks MANDATORY")
    p.add_argument("--flags", default="", metavar="NAME[,NAME]",
                   help="FLT_REGISTRATION.Flags, e.g. DO_NOT_SUPPORT_SERVICE_STOP")
    p.add_argument("--driver-entry-returns", default="STATUS_SUCCESS", metavar="STATUS",
                   help="what DriverEntry returns (default STATUS_SUCCESS)")
    p.add_argument("--shutdown-preop", action="store_true", help="register an IRP_MJ_SHUTDOWN pre-operation")
    p.add_argument("--instances", default="1", metavar="N",
                   help=f"volumes the filter is attached to, 0..{len(minifilter.VOLUMES)} (default 1)")
    p.add_argument("--no-teardown-callbacks", action="store_true",
                   help="register no InstanceTeardownStart/Complete callbacks")
    p.add_argument("--pended-io", action="store_true", help="an instance holds a pended operation never completed")
    p.add_argument("--server-port", default="none", choices=[s.value for s in minifilter.ServerPort],
                   help="a communication server port and when the unload routine closes it")
    p.add_argument("--skip-unregister", action="store_true", help="the unload routine never calls FltUnregisterFilter")
    p.add_argument("--no-privilege", action="store_true", help="the caller lacks SeLoadDriverPrivilege")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=_run_minifilter)


def _whole_number(text: str, option: str) -> int:
    try:
        return int(text, 10)
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a whole number") from None


def _as_option(error: ScenarioError) -> UsageError:
    """'callback_returns: ...' from the model becomes '--callback-returns: ...' for the CLI."""
    knob, _, rest = str(error).partition(": ")
    return UsageError(f"--{knob.replace('_', '-')}: {rest}" if rest and knob.isidentifier() else str(error))


def _run_minifilter(args: argparse.Namespace) -> Trace:
    try:
        scenario = _minifilter_scenario(args)
    except ScenarioError as e:
        raise _as_option(e) from None
    return minifilter.simulate(scenario)


def _minifilter_scenario(args: argparse.Namespace) -> minifilter.MinifilterScenario:
    return minifilter.MinifilterScenario(
        trigger=args.trigger,
        unload_callback=not args.no_unload_callback,
        callback_returns=args.callback_returns,
        refuse_only_if_not_mandatory=args.refuse_only_if_not_mandatory,
        flags=args.flags,
        driver_entry_returns=args.driver_entry_returns,
        shutdown_preop=args.shutdown_preop,
        instances=_whole_number(args.instances, "--instances"),
        teardown_callbacks=not args.no_teardown_callbacks,
        pended_io=args.pended_io,
        server_port=args.server_port,
        calls_unregister=not args.skip_unregister,
        caller_privileged=not args.no_privilege,
    )


def _add_rules(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rules", help="list the rules catalogue, or show one rule")
    p.add_argument("id", nargs="?", help="a rule id, as cited in a trace")
    p.set_defaults(run=_run_rules)


def _run_rules(args: argparse.Namespace) -> str:
    if args.id:
        try:
            r = rules.rule(args.id)
        except rules.UnknownRuleError as e:
            raise UsageError(str(e)) from None
        return f"{r.id} [{r.kind.value}]\n  {r.statement}\n  source: {r.cite()}"
    return "\n".join(f"{r.id} [{r.kind.value}]: {r.statement}\n    source: {r.cite()}" for r in rules.RULES)


def _add_scenarios(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scenarios", help="list the scenario catalogue, or run one scenario by name")
    p.add_argument("name", nargs="?", help="a scenario name")
    p.add_argument("--json", action="store_true", help="print the trace as one JSON object")
    p.set_defaults(run=_run_scenarios)


def _run_scenarios(args: argparse.Namespace) -> Trace | str:
    from .scenarios import CATALOGUE, example
    if args.name:
        try:
            return example(args.name).run()
        except KeyError as e:
            raise UsageError(e.args[0]) from None
    return "\n".join(f"{e.name:36} {e.model:10} {e.title}" for e in CATALOGUE)


SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_minifilter, _add_rules, _add_scenarios]


def _parser() -> _Parser:
    parser = _Parser(prog="python -m unloadlab", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        result = args.run(args)
    except (UsageError, ScenarioError, StatusError) as e:
        print(f"unloadlab: error: {e}", file=sys.stderr)
        return 2
    if isinstance(result, Trace):
        text = json.dumps(result.to_dict(), indent=2) if getattr(args, "json", False) else format_trace(result)
    else:
        text = result
    print(text)
    return 0
