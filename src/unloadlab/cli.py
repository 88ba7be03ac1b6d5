"""``python -m unloadlab ...``: the same scenarios in a terminal.

Bad input exits with status 2 and one line on stderr naming the bad value and what is
accepted; never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, NoReturn, Sequence

from .windows.ntstatus import StatusError
from .windows.trace import ScenarioError, Trace

__all__ = ["main"]


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


# Each subcommand imports what it needs when it is chosen, so a run starts fast.
def _add_minifilter(sub: argparse._SubParsersAction) -> None:
    from . import minifilter
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
    from . import minifilter
    try:
        scenario = minifilter.MinifilterScenario(**_minifilter_knobs(args))
    except ScenarioError as e:
        raise _as_option(e) from None
    return minifilter.simulate(scenario)


def _minifilter_knobs(args: argparse.Namespace) -> dict:
    return dict(
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


def _add_callout(sub: argparse._SubParsersAction) -> None:
    from . import callout
    models = ", ".join(m.value for m in callout.DriverModel)
    triggers = ", ".join(t.value for t in callout.CalloutTrigger)
    p = sub.add_parser("callout", help="simulate a WFP callout driver unload")
    # --model and --trigger are checked by the model, whose message says what is accepted
    # (and, for a minifilter trigger such as FilterUnload, why it does not apply).
    p.add_argument("--model", default="wdm", metavar="MODEL",
                   help=f"{models}: WDM Unload, KMDF non-PnP EvtDriverUnload, or the KMDF PnP contrast "
                        "(default wdm)")
    p.add_argument("--trigger", default="sc-stop", metavar="TRIGGER",
                   help=f"{triggers} (device-removal: wdf-pnp only; default sc-stop)")
    p.add_argument("--no-unload-function", action="store_true", help="DriverEntry names no Unload/EvtDriverUnload")
    p.add_argument("--skip-unregister", action="store_true", help="the unload function never unregisters")
    p.add_argument("--ignore-unregister-result", action="store_true",
                   help="the unload function ignores what FwpsCalloutUnregisterById0 returns")
    p.add_argument("--flows-with-context", default="0", metavar="N",
                   help=f"flows still carrying a context at unload, 0..{callout.MAX_FLOWS} (default 0)")
    removal = p.add_mutually_exclusive_group()
    removal.add_argument("--remove-flow-contexts", dest="remove_flow_contexts", action="store_const",
                         const=callout.ContextRemoval.BEFORE_UNREGISTER.value,
                         default=callout.ContextRemoval.NONE.value,
                         help="remove every flow context before unregistering (ddproxy, msnmntr)")
    removal.add_argument("--retry-on-busy", dest="remove_flow_contexts", action="store_const",
                         const=callout.ContextRemoval.ON_DEVICE_BUSY.value,
                         help="on STATUS_DEVICE_BUSY remove the contexts and unregister again (the documentation)")
    p.add_argument("--pending-removal", action="store_true",
                   help="FwpsFlowRemoveContext0 returns STATUS_PENDING (flowDeleteFn runs later)")
    p.add_argument("--callouts", default="2", metavar="N",
                   help=f"callouts registered, 1..{callout.MAX_CALLOUTS} (default 2)")
    p.add_argument("--driver-entry-returns", default="STATUS_SUCCESS", metavar="STATUS",
                   help="what DriverEntry returns (default STATUS_SUCCESS)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=_run_callout)


# Callout knobs whose option is not simply --<knob>; the rest go through _as_option.
_CALLOUT_OPTIONS = {"remove_flow_contexts": "--retry-on-busy", "flow_removal": "--pending-removal"}


def _run_callout(args: argparse.Namespace) -> Trace:
    from . import callout
    try:
        scenario = callout.CalloutScenario(
            model=args.model,
            trigger=args.trigger,
            unload_function=not args.no_unload_function,
            unregisters=not args.skip_unregister,
            check_unregister_result=not args.ignore_unregister_result,
            flows_with_context=_whole_number(args.flows_with_context, "--flows-with-context"),
            remove_flow_contexts=args.remove_flow_contexts,
            flow_removal=(callout.FlowRemoval.PENDING if args.pending_removal else callout.FlowRemoval.SYNCHRONOUS),
            callouts=_whole_number(args.callouts, "--callouts"),
            driver_entry_returns=args.driver_entry_returns,
        )
    except ScenarioError as e:
        knob, _, rest = str(e).partition(": ")
        if knob in _CALLOUT_OPTIONS:
            raise UsageError(f"{_CALLOUT_OPTIONS[knob]}: {rest}") from None
        raise _as_option(e) from None
    return callout.simulate(scenario)


def _add_rules(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rules", help="list the rules catalogue, or show one rule")
    p.add_argument("id", nargs="?", help="a rule id, as cited in a trace")
    p.set_defaults(run=_run_rules)


def _run_rules(args: argparse.Namespace) -> str:
    from . import catalogue as rules
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
    from .catalogue import CATALOGUE, example
    if args.name:
        try:
            return example(args.name).run()
        except KeyError as e:
            raise UsageError(e.args[0]) from None
    return "\n".join(f"{e.name:36} {e.model:10} {e.title}" for e in CATALOGUE)


def _add_quiz(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("quiz", help="a practice problem from a seed: predict the outcome, then reveal it")
    p.add_argument("--seed", default="0", metavar="N", help="a whole number 0 or more; the same seed gives the "
                   "same problem everywhere (default 0)")
    p.add_argument("--answers", action="store_true", help="reveal the outcome, the deciding rule and the trace")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=_run_quiz)


def _seed(text: str) -> int:
    from .exercises.practice import validate_seed
    try:
        return validate_seed(int(text, 10))
    except ValueError as e:
        reason = str(e) if str(e).startswith("seed: ") else (
            f"seed: {text!r} is not a whole number; a seed is a whole number 0 or more, e.g. 7")
        raise UsageError(f"--{reason}") from None


def _run_quiz(args: argparse.Namespace) -> str:
    from .exercises import practice, quiz
    seed = _seed(args.seed)
    scenario = practice.problem(seed)
    if args.json:
        trace = practice.simulate(scenario)
        data = {"seed": seed, "model": trace.model, "inputs": scenario.knobs(),
                "assumptions": practice.assumptions(scenario), "question": "What happens?",
                "choices": list(quiz.OUTCOME_CHOICES)}
        if args.answers:
            data.update(outcome=trace.outcome.value, deciding_rule=practice.deciding_rule(trace),
                        trace=trace.to_dict())
        return json.dumps(data, indent=2)
    if args.answers:
        return f"{practice.describe(scenario, seed)}\n\n{practice.answer(seed)}"
    return (f"{practice.describe(scenario, seed)}\n\n{practice.question()}\n\n"
            f"Reveal the answer: python -m unloadlab quiz --seed {seed} --answers")


SUBCOMMANDS: dict[str, Callable[[argparse._SubParsersAction], None]] = {
    "minifilter": _add_minifilter, "callout": _add_callout, "rules": _add_rules, "scenarios": _add_scenarios,
    "quiz": _add_quiz}


def _parser(argv: Sequence[str]) -> _Parser:
    """The parser; when argv names a subcommand, only that one is built (and imported)."""
    parser = _Parser(prog="python -m unloadlab", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    chosen = [SUBCOMMANDS[argv[0]]] if argv and argv[0] in SUBCOMMANDS else SUBCOMMANDS.values()
    for add in chosen:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        args = _parser(argv).parse_args(argv)
        result = args.run(args)
    except (UsageError, ScenarioError, StatusError) as e:
        print(f"unloadlab: error: {e}", file=sys.stderr)
        return 2
    if isinstance(result, Trace):
        if getattr(args, "json", False):
            text = json.dumps(result.to_dict(), indent=2)
        else:
            from .views.text import format_trace
            text = format_trace(result)
    else:
        text = result
    try:
        print(text)
    except BrokenPipeError:  # e.g. piped into `head`: the reader left, nothing more to say
        sys.stderr.close()
    return 0
