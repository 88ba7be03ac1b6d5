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
                   help="FLT_REGISTRATION.Flags, e.g. DO_NOT_SUPPORT_SERVICE_STOP (a name given twice counts "
                        "once)")
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
    p.add_argument("--no-privilege", action="store_true",
                   help="the caller is not an administrator: no SeLoadDriverPrivilege, and no SERVICE_STOP "
                        "access under a service's default security")
    leaks = ", ".join(leak.value for leak in minifilter.Leak)
    p.add_argument("--leaks", default="", metavar="NAME[,NAME]",
                   help=f"references the minifilter never gives back: {leaks} (a name given twice counts once)")
    p.add_argument("--send-message-wait", action="store_true",
                   help="the unload routine calls FltSendMessage with no timeout; the service never replies "
                        "(needs --server-port)")
    p.add_argument("--drains-pended-io", action="store_true",
                   help="InstanceTeardownStart disables its cancel-safe queue and completes the pended operations")
    p.add_argument("--control-device", default="none", choices=[c.value for c in minifilter.ControlDevice],
                   help="a control device object, and whether a handle to it is open")
    p.add_argument("--refuse-only-if-control-device-open", action="store_true",
                   help="the cdo sample's refusal: --callback-returns only when a handle to the control device "
                        "is open and the unload is not mandatory")
    p.add_argument("--global-resources", action="store_true",
                   help="the driver runs a timer with a DPC, a system thread, a process-notify routine and pool")
    mistakes = ", ".join(m.value for m in minifilter.CleanupMistake)
    p.add_argument("--cleanup-mistakes", default="", metavar="NAME[,NAME]",
                   help=f"what global cleanup forgets (needs --global-resources): {mistakes} (a name given twice "
                        "counts once)")
    p.add_argument("--driver-verifier", action="store_true",
                   help="Driver Verifier watches the minifilter; modelled: its checks at unload for pool never "
                        "freed (0xC4) and for a timer left behind (0xC7), no others")
    p.add_argument("--dependent-services", action="store_true", help="another running service depends on this one")
    p.add_argument("--fast-startup", action="store_true",
                   help="shutdown with Fast Startup: a hybrid shutdown (trigger shutdown only)")
    _add_output_options(p)
    p.set_defaults(run=_run_minifilter)


def _whole_number(text: str, option: str) -> int:
    try:
        return int(text, 10)
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a whole number") from None


def _add_output_options(p: argparse.ArgumentParser) -> None:
    """--json or --c: the trace as one JSON object, or the driver's C for these knobs."""
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--c", action="store_true", help="print the driver's C for these knobs instead of the trace")


def _c_or_trace(args: argparse.Namespace, scenario: object, simulate: Callable[[object], Trace]) -> Trace | str:
    """The trace, or with --c the C the driver would contain (views.code renders it)."""
    if args.c:
        from .views.code import driver_c
        return driver_c(scenario).rstrip("\n")
    return simulate(scenario)


def _as_option(error: ScenarioError) -> UsageError:
    """'callback_returns: ...' from the model becomes '--callback-returns: ...' for the CLI."""
    knob, _, rest = str(error).partition(": ")
    return UsageError(f"--{knob.replace('_', '-')}: {rest}" if rest and knob.isidentifier() else str(error))


def _run_minifilter(args: argparse.Namespace) -> Trace | str:
    from . import minifilter
    try:
        scenario = minifilter.MinifilterScenario(**_minifilter_knobs(args))
    except ScenarioError as e:
        raise _as_option(e) from None
    return _c_or_trace(args, scenario, minifilter.simulate)


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
        leaks=args.leaks,
        send_message_wait=args.send_message_wait,
        drains_pended_io=args.drains_pended_io,
        control_device=args.control_device,
        refuse_only_if_control_device_open=args.refuse_only_if_control_device_open,
        global_resources=args.global_resources,
        cleanup_mistakes=args.cleanup_mistakes,
        driver_verifier=args.driver_verifier,
        dependent_services=args.dependent_services,
        fast_startup=args.fast_startup,
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
    p.add_argument("--skip-unregister", action="store_true", help="the teardown never unregisters the callouts")
    p.add_argument("--ignore-unregister-result", action="store_true",
                   help="the teardown ignores what FwpsCalloutUnregisterById0 returns (give --no-retry-on-busy too: "
                        "there is nothing to retry on)")
    p.add_argument("--flows-with-context", default="0", metavar="N",
                   help=f"flows still carrying a context at unload, 0..{callout.MAX_FLOWS} (default 0)")
    # The defaults are the canonical teardown; --no-... gives each mistake.
    p.add_argument("--remove-flow-contexts", action=argparse.BooleanOptionalAction, default=True,
                   help="remove every flow context before unregistering, as ddproxy and msnmntr do (default on)")
    p.add_argument("--retry-on-busy", action=argparse.BooleanOptionalAction, default=True,
                   help="on STATUS_DEVICE_BUSY remove the callout's contexts and unregister again, the documented "
                        "recovery (default on)")
    p.add_argument("--pending-removal", action="store_true",
                   help="FwpsFlowRemoveContext0 returns STATUS_PENDING (flowDeleteFn runs later)")
    p.add_argument("--wait-for-flow-deletes", action=argparse.BooleanOptionalAction, default=True,
                   help="after removing contexts, wait until every flowDeleteFn has run (default on; "
                        "--no-wait-for-flow-deletes when no context is removed)")
    p.add_argument("--callouts", default="2", metavar="N",
                   help=f"callouts registered, 1..{callout.MAX_CALLOUTS} (default 2)")
    p.add_argument("--driver-entry-returns", default="STATUS_SUCCESS", metavar="STATUS",
                   help="what DriverEntry returns (default STATUS_SUCCESS)")
    p.add_argument("--filters", default=callout.FilterRemoval.DYNAMIC_SESSION.value,
                   choices=[f.value for f in callout.FilterRemoval],
                   help="how the driver's filters leave the engine (default dynamic-session: closing the "
                        "session first)")
    p.add_argument("--permit-if-unregistered", action="store_true",
                   help="the filters carry FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED")
    p.add_argument("--classify-in-progress", action="store_true",
                   help="a classifyFn of callout 0 is still running when the teardown starts")
    p.add_argument("--drain-after-unregister", action="store_true",
                   help="the teardown waits for work in flight only after unregistering")
    p.add_argument("--unregister-at-apc-level", action="store_true",
                   help="the teardown unregisters while holding a fast mutex (APC_LEVEL)")
    p.add_argument("--unregister-in", default=None, choices=[u.value for u in callout.UnregisterPlace],
                   help="where a KMDF PnP driver takes its callouts down (default self-managed-io-cleanup for "
                        "wdf-pnp, else unload-function)")
    p.add_argument("--no-privilege", action="store_true",
                   help="the caller lacks SERVICE_STOP access to the service (not an administrator)")
    p.add_argument("--dependent-services", action="store_true", help="another running service depends on this one")
    _add_output_options(p)
    p.set_defaults(run=_run_callout)


# Callout knobs whose option is not simply --<knob>; the rest go through _as_option.
_CALLOUT_OPTIONS = {"remove_flow_contexts": "--retry-on-busy", "flow_removal": "--pending-removal",
                    "waits_for_flow_deletes": "--wait-for-flow-deletes", "caller_privileged": "--no-privilege",
                    "drains_before_unregister": "--drain-after-unregister"}
# What to add when a default of the canonical teardown contradicts a mistake asked for.
_CALLOUT_FIX = {"remove_flow_contexts": "add --no-retry-on-busy",
                "waits_for_flow_deletes": "add --no-wait-for-flow-deletes"}


def _context_removal(args: argparse.Namespace) -> str:
    """--remove-flow-contexts and --retry-on-busy, alone or together."""
    from .callout import ContextRemoval
    if args.remove_flow_contexts and args.retry_on_busy:
        return ContextRemoval.BEFORE_AND_ON_BUSY.value
    if args.remove_flow_contexts:
        return ContextRemoval.BEFORE_UNREGISTER.value
    return ContextRemoval.ON_DEVICE_BUSY.value if args.retry_on_busy else ContextRemoval.NONE.value


def _run_callout(args: argparse.Namespace) -> Trace | str:
    from . import callout
    try:
        scenario = callout.CalloutScenario(
            model=args.model,
            trigger=args.trigger,
            unload_function=not args.no_unload_function,
            unregisters=not args.skip_unregister,
            check_unregister_result=not args.ignore_unregister_result,
            flows_with_context=_whole_number(args.flows_with_context, "--flows-with-context"),
            remove_flow_contexts=_context_removal(args),
            flow_removal=(callout.FlowRemoval.PENDING if args.pending_removal else callout.FlowRemoval.SYNCHRONOUS),
            waits_for_flow_deletes=args.wait_for_flow_deletes,
            callouts=_whole_number(args.callouts, "--callouts"),
            driver_entry_returns=args.driver_entry_returns,
            filters=args.filters,
            permit_if_unregistered=args.permit_if_unregistered,
            classify_in_progress=args.classify_in_progress,
            drains_before_unregister=not args.drain_after_unregister,
            unregister_at_apc_level=args.unregister_at_apc_level,
            unregister_in=args.unregister_in,
            caller_privileged=not args.no_privilege,
            dependent_services=args.dependent_services,
        )
    except ScenarioError as e:
        knob, _, rest = str(e).partition(": ")
        if knob in _CALLOUT_OPTIONS:
            if knob in _CALLOUT_FIX:   # the model's advice names knobs; say it in options
                rest = f"{rest.split('; ')[0]}; {_CALLOUT_FIX[knob]}"
            raise UsageError(f"{_CALLOUT_OPTIONS[knob]}: {rest}") from None
        raise _as_option(e) from None
    return _c_or_trace(args, scenario, callout.simulate)


def _add_rules(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rules", help="list the rules catalogue, or show one rule")
    p.add_argument("id", nargs="?", help="a rule id, as cited in a trace")
    p.set_defaults(run=_run_rules)


def _run_rules(args: argparse.Namespace) -> str:
    from . import catalogue as rules
    if args.id is not None:   # "" is a name too, and an unknown one
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
    if args.name is not None:   # "" is a name too, and an unknown one
        try:
            return example(args.name).run()
        except KeyError as e:
            raise UsageError(e.args[0]) from None
    return "\n".join(f"{e.name:36} {e.model:10} {e.title}" for e in CATALOGUE)


def _add_quiz(sub: argparse._SubParsersAction) -> None:
    from .exercises.space import MAX_SEED
    from .exercises.kinds import KINDS
    p = sub.add_parser("quiz", help="a practice problem from a seed: predict the outcome (or find the bug, put "
                       "the teardown in order, complete the routine, diagnose), then reveal it")
    p.add_argument("--seed", default="0", metavar="N", help=f"a whole number from 0 to {MAX_SEED}; the same seed "
                   "gives the same problem everywhere (default 0)")
    p.add_argument("--kind", default="predict", choices=["predict", *KINDS],
                   help="predict (the outcome; the default), find-bug, order, complete or diagnosis")
    p.add_argument("--answers", action="store_true", help="reveal the answer and why (for predict: the outcome, "
                   "the deciding rule and the trace)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=_run_quiz)


def _seed(text: str) -> int:
    from .exercises.space import validate_seed
    try:
        number: object = int(text, 10)
    except ValueError:
        number = text   # validate_seed says what a seed is
    try:
        return validate_seed(number)
    except ValueError as e:
        raise UsageError(f"--{e}") from None


def _run_quiz(args: argparse.Namespace) -> str:
    from .exercises import OUTCOME_CHOICES, predict, simulate
    from .exercises.reading import deciding_rule
    from .exercises.scenario_words import assumptions
    seed = _seed(args.seed)
    if args.kind != "predict":
        return _run_exercise(args.kind, seed, args)
    scenario = predict.problem(seed)
    if args.json:
        trace = simulate(scenario)
        data = {"seed": seed, "model": trace.model, "inputs": scenario.knobs(),
                "assumptions": assumptions(scenario), "question": "What happens?",
                "choices": list(OUTCOME_CHOICES)}
        if args.answers:
            data.update(outcome=trace.outcome.value, deciding_rule=deciding_rule(trace),
                        trace=trace.to_dict())
        return json.dumps(data, indent=2)
    if args.answers:
        return f"{predict.describe(scenario, seed)}\n\n{predict.answer(seed)}"
    return (f"{predict.describe(scenario, seed)}\n\n{predict.question()}\n\n"
            f"Reveal the answer: python -m unloadlab quiz --seed {seed} --answers")


def _run_exercise(kind: str, seed: int, args: argparse.Namespace) -> str:
    """A find-bug, order, complete or diagnosis problem; the answer only with --answers."""
    from .exercises.kinds import make
    ex = make(kind, seed)
    if args.json:
        return json.dumps(ex.to_dict(answers=args.answers), indent=2)
    if args.answers:
        return f"{ex.text()}\n\n{ex.answer_text()}"
    return f"{ex.text()}\n\nReveal the answer: python -m unloadlab quiz --seed {seed} --kind {kind} --answers"


def _add_why(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("why", help="from what you see to why: the causes the lab knows for a symptom (an error "
                       "code, a line sc or fltmc printed, a bug check, or plain words)")
    p.add_argument("symptom", nargs="*", help="what you saw, e.g. 1052, 0x801F0010, 'bugcheck 0xC4 0x62', "
                   "'never returns' (the words are joined)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--list", action="store_true", help="list every symptom the index knows, grouped")
    p.set_defaults(run=_run_why)


def _run_why(args: argparse.Namespace) -> str:
    from .symptoms.answers import SymptomError, why
    from .views.why_text import format_answer, format_listing
    if args.list:
        if args.symptom:
            raise UsageError("why --list takes no symptom")
        return format_listing()
    try:
        answer = why(" ".join(args.symptom))
    except SymptomError as e:
        raise UsageError(str(e)) from None
    return json.dumps(answer.to_dict(), indent=2) if args.json else format_answer(answer)


SUBCOMMANDS: dict[str, Callable[[argparse._SubParsersAction], None]] = {
    "minifilter": _add_minifilter, "callout": _add_callout, "rules": _add_rules, "scenarios": _add_scenarios,
    "quiz": _add_quiz, "why": _add_why}


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
