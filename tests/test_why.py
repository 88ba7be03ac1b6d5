"""`python -m unloadlab why`: symptom strings as engineers paste them resolve to the causes the
catalogue's traces show, each cause replays (through the CLI) a trace showing the symptom, every
scenario's symptoms can be found, and bad input exits 2 with one line naming the nearest ones."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from unloadlab import cli
from unloadlab.callout.scenarios import decision_space as callout_space
from unloadlab.callout.model import simulate as callout_simulate
from unloadlab.catalogue import CATALOGUE
from unloadlab.minifilter import model as minifilter_model
from unloadlab.minifilter.scenarios import craft_space, decision_space
from unloadlab.symptoms import SYMPTOMS, SymptomError, index, observe, why
from unloadlab.symptoms.answers import known_codes, typed_form, listing
from unloadlab.symptoms.codes import find_code
from unloadlab.symptoms.unmodelled import NOT_MODELLED
from unloadlab.windows.bugcheck import BUG_CHECKS
from unloadlab.windows.ntstatus import KNOWN_STATUSES, MEANINGS

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

UNINSTALL = ("uninstall-hang-reboot", "uninstall-opt-out-reboot", "wfp-uninstall-pnp-reboot")
SC_1052 = ("no-callback-sc-stop", "opt-out-sc-stop", "wfp-wdf-no-evtdriverunload", "wfp-wdf-pnp-sc-stop",
           "wfp-wdm-no-unload-function", "uninstall-opt-out-reboot", "wfp-uninstall-pnp-reboot")
CS_1052 = ("opt-out-controlservice", "wfp-controlservice-no-unload")
ALL_1052 = SC_1052 + CS_1052
NT_INVALID = ("ntunload-no-callback", "ntunload-opt-out", "wfp-ntunload-no-unload-function", "wfp-ntunload-pnp")
DEPENDENTS = ("controlservice-dependents-1051", "net-stop-dependents", "wfp-dependents-running")
ACCESS = ("sc-stop-access-denied", "wfp-sc-stop-access-denied")
NOT_ACTIVE = ("driver-entry-error-sc-stop", "wfp-driver-entry-fails", "wfp-driver-entry-warning")
BUSY = ("driver-entry-warning", "filterunload-refused-warning", "wfp-driver-entry-warning", "wfp-flows-busy-doc-retry",
        "wfp-give-up-on-busy", "wfp-ignore-busy-result", "wfp-pending-removal", "wfp-pending-removal-waited")
IN_USE = ("wfp-filters-left-fail-closed", "wfp-filters-left-permit", "wfp-unregister-in-use",
          "wfp-persistent-filters-at-boot")
FLT_HRESULT = ("cdo-refusal-handle-open", "conditional-refusal-non-mandatory", "fltmc-refused")
DND = FLT_HRESULT + ("ntunload-refusal-ignored", "refusal-ignored-skips-cleanup", "sc-stop-refusal-ignored")
B_0XCE = ("notify-routine-left-0xce", "refusal-ignored-skips-cleanup", "thread-not-waited-0xce",
          "timer-left-behind-bugcheck")
B_0XD4 = ("refusal-ignored-skips-cleanup", "timer-left-behind-bugcheck")
HANGS = ("leak-context-hangs", "leak-name-information-hangs", "leak-object-reference-hangs", "leak-open-file-hangs",
         "pended-io-hangs", "port-left-open", "send-message-no-timeout-hangs", "work-item-hangs", "uninstall-hang-reboot")
SC_STAYS = ("leak-object-reference-hangs", "no-callback-sc-stop", "opt-out-sc-stop", "sc-stop-access-denied",
            "sc-stop-handle-open-pending", "send-message-no-timeout-hangs", "wfp-sc-stop-access-denied",
            "wfp-wdf-no-evtdriverunload", "wfp-wdf-pnp-sc-stop", "wfp-wdm-no-unload-function") + UNINSTALL
STAYS = HANGS + ALL_1052 + ACCESS + DEPENDENTS + FLT_HRESULT + (
    "filterunload-no-privilege", "filterunload-refused-warning", "fltunloadfilter-refused-error",
    "no-callback-filterunload", "sc-stop-handle-open-pending", "ntunload-no-privilege") + NT_INVALID

# What engineers paste or type (from issue 17 and the trackers it cites), and the scenarios that must answer.
PASTED = [
    # Win32 errors, bare, with words, and as sc / ControlService print them
    ("1052", ALL_1052), ("error 1052", ALL_1052), ("[SC] ControlService FAILED 1052:", SC_1052),
    ("ControlService failed, GetLastError() = 1052", CS_1052),
    ("wfp callout driver: sc stop gives 1052", SC_1052),
    ("error 1051", DEPENDENTS), ("[SC] ControlService FAILED 1051:", DEPENDENTS),
    ("5", ACCESS), ("[SC] ControlService FAILED 5:", ACCESS),
    ("1062", NOT_ACTIVE), ("ERROR_SERVICE_NOT_ACTIVE", NOT_ACTIVE),
    # NTSTATUS by hex and by name, kernel and user-mode WFP
    ("0xC0000010", ALL_1052 + NT_INVALID), ("NtUnloadDriver returned 0xC0000010", NT_INVALID),
    ("STATUS_INVALID_DEVICE_REQUEST", ALL_1052 + NT_INVALID),
    ("ZwUnloadDriver fails with STATUS_PRIVILEGE_NOT_HELD", ("ntunload-no-privilege",)),
    ("0xC0000034", ("ntunload-after-failed-load",)),
    ("STATUS_DEVICE_BUSY", BUSY), ("FwpsCalloutUnregisterById0 returned STATUS_DEVICE_BUSY", BUSY),
    ("0x80000011", BUSY),
    ("STATUS_FWP_IN_USE", IN_USE), ("FwpmCalloutDeleteByKey0 fails with FWP_E_IN_USE", IN_USE),
    ("0xC022000A", IN_USE), ("FwpsCalloutUnregisterById0 returned STATUS_FWP_IN_USE", IN_USE), ("STATUS_NOT_SUPPORTED", ("wfp-unregister-at-apc-level",)),
    ("STATUS_PENDING", ("wfp-pending-removal", "wfp-pending-removal-waited", "wfp-wdm-unload-done-right")),
    ("STATUS_FLT_DO_NOT_DETACH", DND), ("0xC01C0010", DND),
    ("STATUS_UNSUCCESSFUL", ("driver-entry-error-sc-stop", "fltunloadfilter-refused-error",
                             "ntunload-after-failed-load")),
    # the filter manager's HRESULTs, as fltmc prints them
    ("0x801F0010", FLT_HRESULT), ("Unload failed with error: 0x801f0010", FLT_HRESULT),
    ("ERROR_FLT_DO_NOT_DETACH", FLT_HRESULT),
    ("Unload failed with error: 0x801f0013", ("driver-entry-error-fltmc",)),
    ("0x80070522", ("filterunload-no-privilege",)),
    # bug checks, with and without parameters, by code and by name
    ("0xCE", B_0XCE), ("bug check 0xCE an hour after uninstall", B_0XCE),
    ("DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS", B_0XCE),
    ("bugcheck 0xC4 0x62", ("pool-and-timer-verifier", "pool-not-freed-verifier-0xc4")),
    ("Driver Verifier stops with 0xC4, parameter 1 = 0x62", ("pool-and-timer-verifier", "pool-not-freed-verifier-0xc4")),
    ("0xC4", ("pool-and-timer-verifier", "pool-not-freed-verifier-0xc4")), ("TIMER_OR_DPC_INVALID", ("timer-not-cancelled-verifier-0xc7",)),
    ("0xD4", B_0XD4), ("SYSTEM_SCAN_AT_RAISED_IRQL_CAUGHT_IMPROPER_DRIVER_UNLOAD", B_0XD4),
    # plain words
    ("never returns", HANGS), ("hangs", HANGS), ("stuck stopping", HANGS),
    ("fltmc unload never returns", ("leak-context-hangs", "leak-name-information-hangs", "port-left-open")),
    ("sc stop hangs", ("leak-object-reference-hangs", "send-message-no-timeout-hangs", "uninstall-hang-reboot")),
    ("still loaded after sc stop", SC_STAYS),
    ("sc stop says stopped but still loaded", ("sc-stop-handle-open-pending",)),
    ("traffic blocked after unload", ("wfp-filters-left-fail-closed", "wfp-persistent-filters-at-boot")),
    ("no network after uninstall", ("wfp-filters-left-fail-closed", "wfp-persistent-filters-at-boot")),
    ("needs a reboot", UNINSTALL), ("1072", ("uninstall-opt-out-reboot", "wfp-uninstall-pnp-reboot")),
    ("[SC] DeleteService FAILED 1072:", ("uninstall-opt-out-reboot", "wfp-uninstall-pnp-reboot")),
    ("the uninstaller says a reboot is required", UNINSTALL),
    ("shutdown code never runs", ("shutdown-fast-startup", "shutdown-with-preop", "shutdown-without-preop",
                                  "wfp-shutdown-wdf", "wfp-shutdown-wdm")),
    ("FilterUnload fails", ("filterunload-no-privilege", "filterunload-refused-warning", "no-callback-filterunload")),
    ("callouts still registered", ("wfp-classify-in-progress", "wfp-give-up-on-busy", "wfp-ignore-busy-result",
                                   "wfp-skip-unregister", "wfp-unregister-at-apc-level", "wfp-unregister-in-use",
                                   "wfp-wdf-pnp-no-evtdriverunload")),
    ("my callback refused but sc stop unloaded anyway", ("refusal-ignored-skips-cleanup", "sc-stop-refusal-ignored")),
    ("refusal ignored", ("ntunload-refusal-ignored", "refusal-ignored-skips-cleanup", "sc-stop-refusal-ignored")),
    ("blue screen after unloading", B_0XCE + ("pool-and-timer-verifier", "pool-not-freed-verifier-0xc4", "timer-not-cancelled-verifier-0xc7")),
]


def _run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_table_has_forty_strings_of_every_kind():
    assert len(PASTED) >= 40
    kinds = {why(text).decoded.kind if why(text).decoded else "words" for text, _ in PASTED}
    assert kinds == {"Win32 error", "NTSTATUS", "HRESULT", "bug check", "words"}


@pytest.mark.parametrize("text, scenarios", PASTED, ids=[t for t, _ in PASTED])
def test_each_pasted_symptom_resolves_to_its_causes_and_each_replays_it(capsys, text, scenarios):
    answer = why(text)
    assert sorted(c.scenario for c in answer.causes) == sorted(scenarios)
    key = answer.decoded.key if answer.decoded else next(s.key for s in SYMPTOMS if s.label == answer.label)
    for cause in answer.causes:
        argv = cause.command.split()[3:] + ["--json"]          # python -m unloadlab scenarios NAME
        code, out, _ = _run(capsys, *argv)
        assert code == 0 and key in {o.key for o in observe(json.loads(out))}, (text, cause.scenario)


def test_every_catalogue_scenario_with_a_symptom_is_found_by_why():
    inputs = {s.key: s.phrases[0] for s in SYMPTOMS} | {k: typed_form(c) for k, c in known_codes().items()}
    for e in CATALOGUE:
        for o in observe(e.run().to_dict()):
            if o.key != "success":
                assert e.name in {c.scenario for c in why(inputs[o.key]).causes}, (e.name, o.key)


def test_every_scenario_showing_a_symptom_has_a_diagnosis_whose_section_is_in_its_lesson():
    shown = {c.scenario for causes in index().values() for c in causes}
    for e in CATALOGUE:
        if e.name not in shown:
            continue
        d = e.diagnosis
        assert d and d.cause and d.fix and d.confirm, f"{e.name}: no diagnosis"
        nb = json.loads((NOTEBOOKS / f"{e.lesson}.ipynb").read_text(encoding="utf-8"))
        headings = {line.lstrip("#").strip() for c in nb["cells"] if c["cell_type"] == "markdown"
                    for line in "".join(c["source"]).splitlines() if line.startswith("#")}
        assert d.section in headings, f"{e.name}: no heading {d.section!r} in {e.lesson}"


def test_the_decision_space_shows_no_symptom_the_catalogue_misses():
    """The index replays the catalogue only; over the whole decision space every symptom a trace
    shows is one the index already answers (or says it does not model)."""
    known = set(index()) | set(NOT_MODELLED) | {"success"}
    seen: set[str] = set()
    traces = [minifilter_model.simulate(s) for s in (*decision_space(), *craft_space())]
    traces += [callout_simulate(s) for s in callout_space()]
    for t in {id(t): t for t in traces}.values():
        seen.update(o.key for o in observe(t.to_dict()))
    assert seen - known == set()
    assert {"hang", "bugcheck:0xC4/0x62", "traffic-blocked", "win32:1052", "hresult:0x801F0010"} <= seen


BAD = [([], "no symptom given"), (["qwzx", "blorp"], "not a symptom the lab knows"),
       (["0xC0000999"], "0xC0000999"), (["STATUS_NOPE"], "STATUS_NOPE"), (["error", "4242"], "4242"),
       (["0xC4", "0x61"], "0x61"), (["STATUS_SUCCESS"], "success, not a symptom"),
       (["STATUS_FLT_NOT_INITIALIZED"], "no scenario in the lab shows it")]


@pytest.mark.parametrize("words, named", BAD, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_bad_input_exits_2_with_one_line_naming_what_is_accepted_and_the_nearest(capsys, words, named):
    code, out, err = _run(capsys, "why", *words)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert named in err and ("nearest known: '" in err or "for example: '" in err)
    assert "Traceback" not in err


def test_json_has_the_contract_keys(capsys):
    code, out, _ = _run(capsys, "why", "0xC0000010", "--json")
    d = json.loads(out)
    assert code == 0 and d["symptom"] == "0xC0000010"
    assert d["decoded"] == {"kind": "NTSTATUS", "code": "0xC0000010", "name": "STATUS_INVALID_DEVICE_REQUEST",
                            "meaning": d["decoded"]["meaning"]} and "cannot be unloaded" in d["decoded"]["meaning"]
    for c in d["causes"]:
        assert {"cause", "family", "scenario", "command", "lesson", "confirm", "fix", "rules"} <= set(c)
        assert isinstance(c["confirm"], list) and all({"id", "kind"} == set(r) for r in c["rules"])
    assert json.loads(_run(capsys, "why", "never", "returns", "--json")[1])["decoded"] is None


def test_text_names_the_code_the_causes_and_what_is_not_modelled(capsys):
    code, out, _ = _run(capsys, "why", "FWP_E_IN_USE")
    assert code == 0 and "What it is: HRESULT 0x8032000A = FWP_E_IN_USE" in out
    assert "replay:   python -m unloadlab scenarios wfp-filters-left-fail-closed" in out
    assert "netsh wfp show filters" in out and "[documented]" in out
    assert "replay:   python -m unloadlab scenarios wfp-unregister-in-use" in out   # FwpsCalloutUnregisterById0's
    code, out, _ = _run(capsys, "why", "STATUS_DELETE_PENDING")
    assert code == 0 and "What the lab does not model:" in out and "IopUnloadDriver" in out


def test_a_code_the_lab_does_not_model_is_decoded_and_said_so(capsys):
    for argv in (["1072"], ["[SC] DeleteService FAILED 1072:"]):   # modelled, with what is not documented
        code, out, _ = _run(capsys, "why", *argv)
        assert code == 0 and "ERROR_SERVICE_MARKED_FOR_DELETE" in out and "uninstall-opt-out-reboot" in out
        assert "What the lab does not model:" in out and "CreateService" in out
    code, out, _ = _run(capsys, "why", "NtUnloadDriver", "returned", "STATUS_DELETE_PENDING")
    assert code == 0 and "IopUnloadDriver" in out


def test_each_not_modelled_note_names_a_known_symptom_and_a_source():
    symptom_ids = {s.id for s in SYMPTOMS} | {s.key for s in SYMPTOMS}
    for key, notes in NOT_MODELLED.items():
        kind, _, value = key.partition(":")
        assert key in symptom_ids or find_code(value.replace("/", " ")).key == key, key
        for note in notes:
            assert "https://" in note or "docs/domain-facts.md" in note or "rule " in note or "decoded only" in note


def test_list_names_every_symptom_of_the_index_grouped(capsys):
    code, out, _ = _run(capsys, "why", "--list")
    assert code == 0 and "What happens:" in out and "Bug checks:" in out
    for group in listing().values():
        for typed, _, _ in group:
            assert f"  {typed}  " in out or f"  {typed} " in out
    assert _run(capsys, "why", "--list", "1052")[0] == 2


def test_the_decoding_tables_agree_with_the_models():
    assert set(MEANINGS) == set(KNOWN_STATUSES)
    for text in (minifilter_model.BUGCHECK_0XCE, minifilter_model.BUGCHECK_0XD4, minifilter_model.BUGCHECK_0XC4):
        code = find_code(text)
        assert code.kind == "bug check" and text.split()[1] == BUG_CHECKS[int(text.split()[0], 16)].name
    assert find_code("0x801F0010").name == "ERROR_FLT_DO_NOT_DETACH"
    assert find_code("0x80070001") is not None and find_code("FWP_E_IN_USE").key == "ntstatus:STATUS_FWP_IN_USE"


def _modules_after_why() -> set[str]:
    """The modules a fresh Python has imported once ``python -m unloadlab why 1052`` has answered."""
    probe = ("import sys, contextlib, io\nfrom unloadlab.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n    assert main(['why', '1052']) == 0\n"
             "print('\\n'.join(sys.modules))\n")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return set(r.stdout.split())


def test_the_cli_answers_why_without_plotting_or_widget_libraries():
    heavy = {m for m in _modules_after_why() if m.split(".")[0] in ("matplotlib", "ipywidgets", "IPython")}
    assert not heavy, heavy


def test_the_stored_table_is_the_catalogue_replayed():
    """why reads symptoms/table.py; it must be what replaying the catalogue gives, in the same
    order (after a change to a model, a scenario or a diagnosis: python tools/write_symptom_table.py)."""
    from unloadlab.symptoms import answers
    stored, replayed = answers._built(), answers.replayed()
    assert stored == replayed, "the symptom table is stale: run python tools/write_symptom_table.py"
    assert [list(v) for v in stored[0].items()] == [list(v) for v in replayed[0].items()]
    assert list(stored[1]) == list(replayed[1])


def test_why_imports_no_family():
    loaded = {m for m in _modules_after_why()
              if m.startswith(("unloadlab.minifilter", "unloadlab.callout", "unloadlab.catalogue"))}
    assert not loaded, loaded


def test_the_index_is_built_once_per_process():
    from unloadlab.symptoms import answers
    answers._built.cache_clear()
    why("1052"), why("never returns"), why("0xCE")
    assert answers._built.cache_info().misses == 1


# --- the notebooks: 00's table and lesson 11's panel come from the same index -----------------------
def _cells(name: str) -> list[dict]:
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]


def test_00_shows_the_table_computed_from_the_index():
    from unloadlab.views.why_text import symptom_table
    table = symptom_table()
    cell = next(c for c in _cells("00-start-here")
                if c["cell_type"] == "code" and "symptom_table()" in "".join(c["source"]))
    stored = [o for o in cell["outputs"] if "text/markdown" in o.get("data", {})]
    assert stored and "".join(stored[0]["data"]["text/markdown"]) == table.markdown(), "re-run notebook 00"
    typed = {row[2].split(" why ", 1)[1] for row in table.rows}
    assert typed == {t for rows in listing().values() for t, _, n in rows if n}
    for _, lessons, command in table.rows:
        assert lessons == tuple(sorted({c.lesson for c in why(command.split(" why ", 1)[1]).causes}))
        assert all((NOTEBOOKS / f"{lesson}.ipynb").exists() for lesson in lessons)


def test_lesson_11_ends_with_the_why_panel_before_what_to_remember():
    cells = _cells("11-why-wont-my-driver-stop")
    remember = next(i for i, c in enumerate(cells) if "".join(c["source"]).startswith("## What to remember"))
    before = "".join("".join(c["source"]) for c in cells[remember - 5:remember])
    assert "WhyPanel(" in before and "main([\"why\"" in before


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_the_panel_gives_the_cli_answer_and_says_errors_beside_the_field(capsys):
    from unloadlab.views.why_panel import WhyPanel
    panel = WhyPanel()
    assert panel.field.continuous_update is False          # Enter (or leaving the field) asks
    panel.field.value = "Unload failed with error: 0x801f0010"
    _, out, _ = _run(capsys, "why", "Unload failed with error: 0x801f0010")
    assert panel.answer_text().splitlines() == _lines(out) and panel.error_text() == ""
    panel.ask("qwzx")
    assert "nearest known" in panel.error_text() and panel.answer_text() == ""
    assert panel.error.layout.display is None and "role='alert'" in panel.error.value
    panel.field.value = "never returns"
    panel.button.click()
    assert panel.error_text() == "" and "port-left-open" in panel.answer_text()
    assert panel.error.layout.display == "none"
    assert [w.description for w in (panel.field, panel.button)] == ["What did you see?", "Why?"]


def test_the_readme_why_lines_run(capsys):
    import re
    import shlex
    readme = (NOTEBOOKS.parent / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r"^python -m unloadlab (why .*?)(?:\s+#.*)?$", readme, re.M)
    assert len(lines) >= 3
    for line in lines:
        assert _run(capsys, *shlex.split(line))[0] == 0, line
