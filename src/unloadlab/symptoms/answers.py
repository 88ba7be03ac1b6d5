"""The symptom index: every catalogue scenario replayed, what each trace shows read by
``observe``, and inverted, so a symptom leads to the scenarios that show it.

``replayed()`` builds it from the catalogue; ``python tools/write_symptom_table.py`` stores
the result in ``symptoms/table.py``, which ``why`` reads so that it answers without importing
both families and replaying them (issue 20: ``why`` in the time of any other CLI command).
``tests/test_why.py`` checks that the stored table is the catalogue replayed, so a change to
a model, a scenario or a diagnosis fails there until the table is written again.

``why(text)`` answers what ``python -m unloadlab why`` and the lesson 11 panel print. A
scenario is listed for a symptom only because its trace shows it; the words a trace cannot
hold (the cause, how to confirm it, the fix, the lesson's section) are the scenario's
``Diagnosis``, kept beside it in its family's ``scenarios.py``.
"""
import functools
import re
from typing import Any, NamedTuple

from . import observations as ob
from .codes import BUGCHECK, HRESULT, NTSTATUS, WIN32, Code, UnknownCode, codes_in
from .unmodelled import NOT_MODELLED

__all__ = ["Symptom", "Cause", "Answer", "SymptomError", "SYMPTOMS", "WORDS", "index", "why", "listing",
           "known_codes", "typed_form", "ACCEPTED"]

ACCEPTED = ("give a Win32 error (1052), an NTSTATUS name or hex (STATUS_DEVICE_BUSY, 0xC0000010), an HRESULT "
            "(0x801F0010, FWP_E_IN_USE), a bug check (0xCE, bugcheck 0xC4 0x62), a line sc or fltmc printed, or "
            "plain words ('never returns'); 'python -m unloadlab why --list' lists them all")
_CODE_KINDS = ("win32", "ntstatus", "hresult", "bugcheck")


class Symptom(NamedTuple):
    """What an engineer sees, in plain words: ``key`` is the observation it stands for."""

    id: str
    key: str
    label: str
    phrases: tuple[str, ...]


WORDS = "What happens"
SYMPTOMS: tuple[Symptom, ...] = (
    Symptom("hang", ob.HANG, "the unload never returns (hangs, stuck stopping)", (
        "never returns", "never return", "does not return", "doesn't return", "hangs", "hang", "hung",
        "stuck stopping", "stuck", "stop pending", "waits forever", "deadlock", "freezes",
        "FltUnregisterFilter never returns", "fltmc unload never returns", "sc stop hangs")),
    Symptom("unload-pending", ob.PENDING, "sc stop reports success, but the driver stays loaded", (
        "reported stopped but still loaded", "stopped but still loaded", "stopped but still running",
        "says stopped but still loaded", "unload pending", "stop succeeds but the driver stays")),
    Symptom("stays-loaded", ob.STAYS_LOADED, "the driver is still loaded after the stop", (
        "still loaded", "stays loaded", "still running", "won't stop", "wont stop", "will not stop",
        "does not stop", "doesn't stop", "does not unload", "doesn't unload", "cannot unload", "can't unload",
        "won't unload", "still loaded after sc stop", "driver stays", "still there")),
    Symptom("reboot", ob.REMOVED_AT_RESTART, "the uninstall needs a reboot: the service is marked for deletion", (
        "needs a reboot", "need a reboot", "reboot required", "requires a reboot", "reboot", "restart required",
        "needs a restart", "pending reboot", "marked for deletion", "sc delete", "uninstall",
        "uninstall needs a reboot")),
    Symptom("request-failed", ob.FAILED, "the unload request fails or is refused", (
        "unload fails", "unload failed", "fltmc unload fails", "fltmc unload failed", "sc stop fails",
        "sc stop failed", "FilterUnload fails", "FilterUnload failed", "FltUnloadFilter fails",
        "FltUnloadFilter failed", "stop fails", "refused", "unload refused")),
    Symptom("traffic-blocked", ob.TRAFFIC_BLOCKED, "traffic is blocked after the callout driver unloads", (
        "traffic blocked after unload", "traffic blocked", "traffic is blocked", "network blocked",
        "no network", "network stops", "connections blocked", "packets dropped", "traffic dropped",
        "traffic blocked at boot", "blocked after reboot", "no network after uninstall")),
    Symptom("callouts-left", ob.CALLOUTS_LEFT, "callouts still registered as the driver unloads", (
        "callouts still registered", "callout still registered", "callouts left registered",
        "FwpsCalloutUnregisterById0 fails", "unregister fails")),
    Symptom("shutdown", ob.SHUTDOWN, "the unload or shutdown code never runs at shutdown", (
        "shutdown code never runs", "unload not called at shutdown", "not called at shutdown",
        "nothing runs at shutdown", "shutdown", "at shutdown", "FilterUnloadCallback not called at shutdown")),
    Symptom("refusal-ignored", ob.REFUSAL_IGNORED, "unloaded although FilterUnloadCallback refused", (
        "unloaded although the callback refused", "refusal ignored", "unloads anyway", "unloaded anyway",
        "refusal is ignored")),
    Symptom("bugcheck", ob.ANY_BUGCHECK, "a bug check (blue screen) at or after the unload", (
        "blue screen", "bsod", "bug check", "bugcheck", "crash after unload", "crash", "crashes")),
)
_TRIGGER_WORDS = {"sc stop": "sc-stop", "net stop": "net-stop", "fltmc": "fltmc-unload",
                  "controlservice": "ControlService", "filterunload": "FilterUnload",
                  "fltunloadfilter": "FltUnloadFilter", "ntunloaddriver": "NtUnloadDriver",
                  "zwunloaddriver": "NtUnloadDriver", "shutdown": "shutdown"}
_FAMILY_WORDS = {"wfp": "callout", "callout": "callout", "fwp": "callout", "minifilter": "minifilter",
                 "fltmc": "minifilter", "flt": "minifilter"}


class SymptomError(ValueError):
    """Input the index cannot answer; the one-line message says what is accepted and what is near."""


class Cause(NamedTuple):
    """One scenario that shows the symptom, with what its diagnosis says."""

    scenario: str
    family: str
    trigger: str
    seen: str              # where its trace shows the symptom
    cause: str
    lesson: str
    section: str
    confirm: tuple[str, ...]
    fix: str
    rules: tuple[tuple[str, str], ...]    # (rule id, kind)

    @property
    def command(self) -> str:
        return f"python -m unloadlab scenarios {self.scenario}"

    def to_dict(self) -> dict[str, Any]:
        return {"cause": self.cause, "family": self.family, "scenario": self.scenario, "command": self.command,
                "lesson": self.lesson, "section": self.section, "confirm": list(self.confirm), "fix": self.fix,
                "rules": [{"id": r, "kind": k} for r, k in self.rules], "seen": self.seen}


class Answer(NamedTuple):
    symptom: str                       # the input, as given
    label: str                         # what it was read as
    decoded: Code | None
    causes: tuple[Cause, ...]
    not_modelled: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"symptom": self.symptom, "read_as": self.label,
                "decoded": self.decoded.to_dict() if self.decoded else None,
                "causes": [c.to_dict() for c in self.causes], "not_modelled": list(self.not_modelled)}


Index = tuple[dict[str, tuple[Cause, ...]], dict[str, Code]]   # (observation key: causes, code key: code)


def replayed() -> Index:
    """Replay the catalogue (both families) and invert what each trace shows."""
    from ..catalogue import CATALOGUE, RULES_BY_ID
    from ..windows.example import Diagnosis
    found: dict[str, list[Cause]] = {}
    codes: dict[str, Code] = {}
    for e in CATALOGUE:
        trace = e.run().to_dict()
        d = e.diagnosis or Diagnosis(e.title, (), "", "")   # tests require one for every scenario listed
        rules = tuple((r, RULES_BY_ID[r].kind.value) for r in e.rules)
        for o in ob.observe(trace):
            found.setdefault(o.key, []).append(Cause(e.name, e.family, str(trace.get("trigger")), o.seen, d.cause,
                                                     e.lesson, d.section, d.confirm, d.fix, rules))
            if o.code:
                codes.setdefault(o.key, o.code)
    return {k: tuple(v) for k, v in found.items()}, codes


@functools.lru_cache(maxsize=1)
def _built() -> Index:
    """The index as ``symptoms/table.py`` stores it, read once per process."""
    from .table import CODES, SCENARIOS, SEEN
    return ({k: tuple(Cause(name, *SCENARIOS[name][:2], seen, *SCENARIOS[name][2:]) for name, seen in shown)
             for k, shown in SEEN.items()},
            {k: Code(*c) for k, c in CODES.items()})


def index() -> dict[str, tuple[Cause, ...]]:
    """Observation key -> the catalogue scenarios whose traces show it, in catalogue order."""
    return _built()[0]


def known_codes() -> dict[str, Code]:
    """Each code key the index holds, with its code as the traces spell it."""
    return _built()[1]


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9_']+", " ", text.lower()).split())


def typed_form(code: Code) -> str:
    """How an engineer would type the code: 1052, 0x801F0010, STATUS_DEVICE_BUSY, 0xC4 0x62."""
    return code.code.split(" (")[0] if code.kind in (WIN32, HRESULT) else (
        code.name if code.kind == NTSTATUS else code.code.replace(" (parameter 1 = ", " ").rstrip(")"))


def _candidates() -> list[str]:
    return [p for s in SYMPTOMS for p in s.phrases] + [typed_form(c) for c in known_codes().values()]


def _nearest(text: str) -> str:
    import difflib   # only when nothing matched: every answer found needs none of it
    near = difflib.get_close_matches(text.strip(), _candidates(), n=3, cutoff=0.5) or \
        difflib.get_close_matches(_normal(text), [_normal(c) for c in _candidates()], n=3, cutoff=0.3)
    return ", ".join(repr(n) for n in (near or ["never returns", "1052", "0x801F0010"]))


def _words(text: str) -> Symptom | None:
    padded = f" {_normal(text)} "
    matches = [(len(p), s) for s in SYMPTOMS for p in s.phrases if f" {_normal(p)} " in padded]
    return max(matches, key=lambda m: m[0])[1] if matches else None


def _requests(text: str) -> set[str]:
    """The requests the input names: '[SC] ...' is sc's line, 'Unload failed with error' fltmc's."""
    lower = text.lower()
    if "[sc]" in lower:
        return {"sc-stop"}
    if "unload failed with error" in lower:
        return {"fltmc-unload"}
    padded = f" {_normal(text)} "
    return {t for w, t in _TRIGGER_WORDS.items() if f" {w}" in padded}


def _narrowed(causes: tuple[Cause, ...], text: str) -> tuple[Cause, ...]:
    """Only the causes replayed with the request the input names, when it names one and some are;
    then those of the family it names first; otherwise catalogue order."""
    requests = _requests(text)
    chosen = tuple(c for c in causes if c.trigger in requests) or causes
    padded = f" {_normal(text)} "
    families = {f for w, f in _FAMILY_WORDS.items() if f" {w}" in padded}
    return tuple(sorted(chosen, key=lambda c: c.family not in families))


def _notes(*keys: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for k in keys for n in NOT_MODELLED.get(k, ())))


def why(text: str) -> Answer:
    """The causes the lab knows for what was pasted or typed; SymptomError when it cannot answer."""
    if not text or not text.strip():
        raise SymptomError(f"no symptom given: {ACCEPTED}; for example: {_nearest('')}")
    try:
        found = codes_in(text)
    except UnknownCode as e:
        raise SymptomError(f"{e}; {ACCEPTED}; nearest known: {_nearest(text)}") from None
    if found:
        code = found[0]
        if code.key == "success":
            raise SymptomError(f"{code.code} is success, not a symptom; nearest known: {_nearest(text)}")
        causes, notes = index().get(code.key, ()), _notes(code.key)
        if not causes and not notes:
            raise SymptomError(f"{code.kind} {code.code} ({code.name}) is decoded, but no scenario in the lab shows "
                               f"it; nearest known: {_nearest(text)}")
        label = f"{code.kind} {code.code} {code.name}"
        return Answer(text, label, code, _narrowed(causes, text), notes)
    symptom = _words(text)
    if symptom is None:
        raise SymptomError(f"not a symptom the lab knows: {text.strip()!r}; {ACCEPTED}; nearest known: "
                           f"{_nearest(text)}")
    return Answer(text, symptom.label, None, _narrowed(index()[symptom.key], text), _notes(symptom.id, symptom.key))


def _unmodelled_codes() -> dict[str, Code]:
    """The codes the lab decodes and says it does not model (NOT_MODELLED keys such as win32:1072)."""
    found = {}
    for key in NOT_MODELLED:
        kind, _, value = key.partition(":")
        if kind in _CODE_KINDS and key not in index():
            found[key] = codes_in(value.replace("/", " "))[0]
    return found


_TITLES = {WIN32: "Win32 errors (sc, net, ControlService)", HRESULT: "HRESULTs (fltmc, FilterUnload, Fwpm*)",
           NTSTATUS: "NTSTATUS values (returned to the requester or inside the unload)", BUGCHECK: "Bug checks"}


def listing() -> dict[str, list[tuple[str, str, int]]]:
    """Every symptom the index knows, grouped: {group: [(what to type, what it is, how many causes)]}."""
    groups: dict[str, list[tuple[str, str, int]]] = {WORDS: [
        (s.phrases[0], s.label, len(index()[s.key])) for s in SYMPTOMS]}
    for title in _TITLES.values():
        groups[title] = []
    codes = {**known_codes(), **_unmodelled_codes()}
    for key, code in sorted(codes.items()):
        groups[_TITLES[code.kind]].append((typed_form(code), f"{code.name}: {code.meaning}",
                                           len(index().get(key, ()))))
    return groups
