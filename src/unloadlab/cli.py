"""``python -m unloadlab ...``: the same scenarios in a terminal.

Bad input exits with status 2 and one line on stderr naming the bad value and what is
accepted; never a traceback.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from dataclasses import MISSING
from typing import Any, Callable, NoReturn, Sequence

from .families import NAMES as FAMILY_NAMES
from .families import family
from .windows.family import Family, Flag, Knob
from .windows.ntstatus import NtStatus, StatusError
from .windows.trace import ScenarioError, Trace

__all__ = ["main"]


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


# --- a family's subcommand, derived from its knob rows (windows.family) ------------------------------
# One option per scenario field, in field order: a bool is --<knob>/--no-<knob>, any other
# knob takes a value (``Knob.option`` where --<knob> is taken); a row's ``flags`` add the
# flags the README documents (--skip-unregister, --retry-on-busy, ...). Options default to
# nothing, so a knob not given keeps the scenario class's own default, whatever it is.
# An option is a plain tuple (option, knob, how, help, required), built at every start; how
# is "bool", "count", "status", "set", "choice", or a Flag (the flag sets its value).
Option = tuple[str, str, Any, str, bool]


def _how(default: Any) -> str:
    """What kind of option a knob needs, from its default, which is of the knob's type (cheaper
    at start-up than reading the types). A knob every scenario sets is a choice (--trigger)."""
    if default is MISSING:
        return "choice"
    if type(default) in (bool, int):
        return "bool" if type(default) is bool else "count"
    return "status" if isinstance(default, NtStatus) else "set" if isinstance(default, frozenset) else "choice"


def _options(family: Family) -> list[Option]:
    """Every option of the family's subcommand, in field order, each knob's flags after it."""
    rows, out = {r.name: r for r in family.knobs}, []
    for f in dataclasses.fields(family.scenario):
        row, default = rows[f.name], f.default
        how = _how(default)
        out.append((row.option or "--" + f.name.replace("_", "-"), f.name, how, _help(row, how, default),
                    default is MISSING))
        out += [(fl.option, f.name, fl, fl.help + (" (the default)" if fl.value == default else ""), False)
                for fl in row.flags]
    return out


def _help(row: Knob, how: str, default: Any) -> str:
    """The option's help: the row's line, what is accepted, and the default."""
    if how == "bool":
        return f"{row.help} (default: {'yes' if default else 'no'})"
    if how == "count":
        return f"{row.help}, {row.limits[0]}..{row.limits[1]} (default {default})"
    if how == "status":
        return f"{row.help}: a name or 0x-hex (default {default.name or default.hex})"
    values = f"{row.help}: {', '.join(str(v) for v, _ in row.choices if v is not None)}"
    if how == "set":
        return f"{values} (a name given twice counts once)"
    if default is MISSING:
        return values
    return f"{values} (default {'the right one for the driver model' if default is None else getattr(default, 'value', default)})"


_METAVARS = {"count": "N", "status": "STATUS", "set": "NAME[,NAME]"}


def _add_family(sub: argparse._SubParsersAction, family: Family) -> None:
    p = sub.add_parser(family.name, help=family.help)
    options = _options(family)
    for option, knob, how, help, required in options:   # one not given stays unset: the default applies
        if how == "bool":
            p.add_argument(option, dest=option, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS,
                           help=help)
        elif isinstance(how, Flag):
            p.add_argument(option, dest=option, action="store_true", default=argparse.SUPPRESS, help=help)
        else:
            p.add_argument(option, dest=option, metavar=_METAVARS.get(how, knob.upper()), default=argparse.SUPPRESS,
                           required=required, help=help)
    _add_output_options(p)
    p.set_defaults(run=lambda args: _run_family(family, options, args))


def _knobs(family: Family, options: list[Option], args: argparse.Namespace) -> tuple[dict, dict[str, str]]:
    """The knobs given on the command line, and for each the option that gave it (the last of
    several); a knob given by several of its row's flags gets the row's ``join`` of them."""
    rows, given = {r.name: r for r in family.knobs}, vars(args)
    knobs: dict[str, Any] = {}
    joined: dict[str, set] = {}
    by: dict[str, str] = {}
    for option, knob, how, _, _ in options:
        if option not in given:
            continue
        by[knob] = option
        if isinstance(how, Flag):
            if rows[knob].join:
                joined.setdefault(knob, set()).add(how.value)
            else:
                knobs[knob] = how.value
        else:
            knobs[knob] = _whole_number(given[option], option) if how == "count" else given[option]
    for knob, values in joined.items():   # the knob's own option, when given too, wins
        knobs.setdefault(knob, rows[knob].join(frozenset(values)))
    return knobs, by


def _run_family(family: Family, options: list[Option], args: argparse.Namespace) -> Trace | str:
    knobs, by = _knobs(family, options, args)
    try:
        scenario = family.scenario(**knobs)
    except ScenarioError as e:
        option = by.get(e.knob) or next((o[0] for o in options if o[1] == e.knob), "")
        reason = e.reason
        if reason.endswith("; set it to False") and option.startswith("--") and not option.startswith("--no-"):
            reason = f"{reason.removesuffix('; set it to False')}; add --no-{option[2:]}"   # the model's advice, as an option
        raise UsageError(f"{option}: {reason}" if option else str(e)) from None
    if args.c:   # the C the driver would contain, instead of the trace
        return family.c_view(scenario).rstrip("\n")
    return family.simulate(scenario)


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
    return "\n".join(f"{e.name:36} {e.family:10} {e.title}" for e in CATALOGUE)


def _add_quiz(sub: argparse._SubParsersAction) -> None:
    from .exercises.space import MAX_SEED
    from .exercises import KINDS
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
    from .exercises.words import assumptions
    seed = _seed(args.seed)
    if args.kind != "predict":
        return _run_exercise(args.kind, seed, args)
    scenario = predict.problem(seed)
    if args.json:
        trace = simulate(scenario)
        data = {"seed": seed, "model": trace.family, "inputs": scenario.knobs(),
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
    from .exercises import make
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
    **{name: (lambda sub, name=name: _add_family(sub, family(name))) for name in FAMILY_NAMES},
    "rules": _add_rules, "scenarios": _add_scenarios, "quiz": _add_quiz, "why": _add_why}


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
