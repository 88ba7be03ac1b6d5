"""The command line contract: JSON keys, readable text, rules lookup, one-line errors."""
import json
import subprocess
import sys

import pytest

from unloadlab.cli import main
from unloadlab.minifilter import MinifilterScenario
from unloadlab.catalogue import RULES
from unloadlab.windows import ScenarioError

REQUIRED_KEYS = {"trigger", "mandatory", "callback_called", "callback_flags", "callback_returned", "unloaded",
                 "shutdown_preop_called", "rules", "steps", "blocked_on", "bugcheck"}


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_contract_keys(capsys):
    code, out, _ = cli(capsys, "minifilter", "--trigger", "sc-stop", "--callback-returns",
                       "STATUS_FLT_DO_NOT_DETACH", "--json")
    data = json.loads(out)
    assert code == 0 and REQUIRED_KEYS <= data.keys()
    assert data["mandatory"] is True and data["unloaded"] is True
    assert data["callback_flags"] == ["FLTFL_FILTER_UNLOAD_MANDATORY"]
    assert data["callback_returned"] == "STATUS_FLT_DO_NOT_DETACH"
    assert all({"actor", "action", "detail", "rules"} <= s.keys() for s in data["steps"])


def test_json_after_failed_driver_entry_says_unloaded(capsys):
    _, out, _ = cli(capsys, "minifilter", "--trigger", "fltmc-unload", "--driver-entry-returns", "0xc0000001", "--json")
    data = json.loads(out)
    assert data["unloaded"] is True and data["callback_called"] is False and data["callback_returned"] is None


def test_every_option_reaches_the_model(capsys):
    _, out, _ = cli(capsys, "minifilter", "--trigger", "net-stop", "--refuse-only-if-not-mandatory",
                    "--callback-returns", "0xC01C0010", "--flags", "SUPPORT_NPFS_MSFS", "--shutdown-preop",
                    "--instances", "3", "--no-teardown-callbacks", "--server-port", "closed-before-unregister",
                    "--no-privilege", "--json")
    d = json.loads(out)
    assert (d["refuse_only_if_not_mandatory"], d["flags"], d["shutdown_preop"], d["instances"],
            d["teardown_callbacks"], d["server_port"], d["caller_privileged"]) == (
        True, ["FLTFL_REGISTRATION_SUPPORT_NPFS_MSFS"], True, 3, False, "closed-before-unregister", False)
    _, out, _ = cli(capsys, "minifilter", "--trigger", "sc-stop", "--pended-io", "--skip-unregister",
                    "--no-unload-callback", "--json")
    d = json.loads(out)
    assert (d["pended_io"], d["calls_unregister"], d["unload_callback"]) == (True, False, False)
    _, out, _ = cli(capsys, "minifilter", "--trigger", "fltmc-unload", "--leaks", "context,work-item",
                    "--send-message-wait", "--server-port", "closed-before-unregister", "--drains-pended-io",
                    "--control-device", "created", "--refuse-only-if-control-device-open", "--callback-returns",
                    "STATUS_FLT_DO_NOT_DETACH", "--global-resources", "--cleanup-mistakes",
                    "pool-not-freed,timer-not-cancelled", "--driver-verifier", "--dependent-services", "--json")
    d = json.loads(out)
    assert (d["leaks"], d["send_message_wait"], d["drains_pended_io"], d["control_device"],
            d["refuse_only_if_control_device_open"], d["global_resources"], d["cleanup_mistakes"],
            d["driver_verifier"], d["dependent_services"], d["fast_startup"]) == (
        ["context", "work-item"], True, True, "created", True, True, ["pool-not-freed", "timer-not-cancelled"],
        True, True, False)
    _, out, _ = cli(capsys, "minifilter", "--trigger", "shutdown", "--fast-startup", "--json")
    assert json.loads(out)["fast_startup"] is True


@pytest.mark.parametrize("argv, outcome, blocked_on, bugcheck", [
    ([], "unloaded", None, None),
    (["--leaks", "object-reference"], "hung",
     "a rundown reference from FltObjectReference never dropped (FltObjectDereference)", None),
    (["--global-resources", "--cleanup-mistakes", "thread-not-waited"], "bugcheck", None,
     "0xCE DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS"),
    # a timer's DPC: 0xD4 (raised IRQL), with 0xCE named in the steps; one "0xNN NAME" string still
    (["--global-resources", "--cleanup-mistakes", "timer-not-cancelled"], "bugcheck", None,
     "0xD4 SYSTEM_SCAN_AT_RAISED_IRQL_CAUGHT_IMPROPER_DRIVER_UNLOAD"),
    (["--global-resources", "--cleanup-mistakes", "pool-not-freed", "--driver-verifier"], "bugcheck", None,
     "0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION (parameter 1 = 0x62)"),
    (["--control-device", "handle-open"], "unload-pending", None, None),
    (["--no-privilege"], "failed without calling the unload routine", None, None),
])
def test_json_gains_outcomes_blocked_on_and_bugcheck(capsys, argv, outcome, blocked_on, bugcheck):
    code, out, _ = cli(capsys, "minifilter", "--trigger", "sc-stop", *argv, "--json")
    d = json.loads(out)
    assert code == 0 and (d["outcome"], d["blocked_on"], d["bugcheck"]) == (outcome, blocked_on, bugcheck)


@pytest.mark.parametrize("argv, action, status", [
    (["--trigger", "sc-stop", "--no-privilege"], "the stop is refused: no SERVICE_STOP access",
     "ERROR_ACCESS_DENIED (5)"),
    (["--trigger", "ControlService", "--dependent-services"],
     "the stop is refused: services that depend on it are running", "ERROR_DEPENDENT_SERVICES_RUNNING (1051)"),
    (["--trigger", "sc-stop", "--no-unload-callback"], "the stop fails: NtUnloadDriver refused it",
     "ERROR_INVALID_SERVICE_CONTROL (1052)"),
    (["--trigger", "net-stop", "--driver-entry-returns", "STATUS_UNSUCCESSFUL"],
     "the stop fails: the service is not running", "ERROR_SERVICE_NOT_ACTIVE (1062)"),
])
def test_a_win32_failure_step_names_the_error_once_and_keeps_the_step_keys(capsys, argv, action, status):
    """The step texts changed (issue 11 review: the action said the error the status repeats); the
    keys of a step did not."""
    code, out, _ = cli(capsys, "minifilter", *argv, "--json")
    step = json.loads(out)["steps"][-1]
    assert code == 0 and list(step) == ["actor", "target", "kind", "action", "detail", "status", "mark", "rules"]
    assert (step["action"], step["status"], step["mark"]) == (action, status, "failed")


def test_the_original_keys_come_first_and_keep_their_meaning(capsys):
    _, out, _ = cli(capsys, "minifilter", "--trigger", "fltmc-unload", "--callback-returns",
                    "STATUS_FLT_DO_NOT_DETACH", "--json")
    d = json.loads(out)
    assert list(d)[:14] == ["family", "trigger", "unload_callback", "callback_returns", "refuse_only_if_not_mandatory",
                            "flags", "driver_entry_returns", "shutdown_preop", "instances", "teardown_callbacks",
                            "pended_io", "server_port", "calls_unregister", "caller_privileged"]
    assert (d["outcome"], d["unloaded"], d["requester_got"], d["printed"]) == (
        "refused", False, "HRESULT 0x801F0010",
        ["Unload failed with error: 0x801f0010", "Do not detach the filter from the volume at this time."])


def test_text_echoes_inputs_first_then_steps_and_rules(capsys):
    code, out, _ = cli(capsys, "minifilter", "--trigger", "fltmc-unload", "--callback-returns", "STATUS_FLT_DO_NOT_DETACH")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "minifilter scenario" and lines[1] == "  trigger: fltmc-unload"
    assert "Outcome: refused." in out and "Rules cited:" in out and "nonmandatory-refusal" in out


def test_rules_lists_every_rule_and_one_rule(capsys):
    _, out, _ = cli(capsys, "rules")
    assert all(r.id in out for r in RULES)
    code, out, _ = cli(capsys, "rules", "mandatory-ignores-refusal")
    assert code == 0 and out.startswith("mandatory-ignores-refusal [documented]") and "source:" in out


def test_every_cited_rule_can_be_looked_up(capsys):
    _, out, _ = cli(capsys, "minifilter", "--trigger", "sc-stop", "--json")
    for rid in json.loads(out)["rules"]:
        assert cli(capsys, "rules", rid)[0] == 0


def test_scenarios_list_and_run(capsys):
    _, out, _ = cli(capsys, "scenarios")
    assert "fltmc-refused" in out
    code, out, _ = cli(capsys, "scenarios", "fltmc-refused", "--json")
    assert code == 0 and json.loads(out)["outcome"] == "refused"


BAD_CLI = [
    (["minifilter", "--trigger", "bogus"], "'bogus'"),
    (["minifilter", "--trigger", "fltmc unload"], "'fltmc unload'"),
    (["minifilter"], "--trigger"),
    (["minifilter", "--trigger", "sc-stop", "--callback-returns", "0xZZ"], "'0xZZ'"),
    (["minifilter", "--trigger", "sc-stop", "--callback-returns", "0x123456789"], "32 bits"),
    (["minifilter", "--trigger", "sc-stop", "--callback-returns", "-1"], "negative"),
    (["minifilter", "--trigger", "sc-stop", "--callback-returns", "STATUS_NOPE"], "'STATUS_NOPE'"),
    (["minifilter", "--trigger", "sc-stop", "--callback-returns", "status_success"], "upper case"),
    (["minifilter", "--trigger", "sc-stop", "--callback-returns", "42"], "'42'"),
    (["minifilter", "--trigger", "sc-stop", "--driver-entry-returns", "0x"], "--driver-entry-returns"),
    (["minifilter", "--trigger", "sc-stop", "--flags", "NOPE"], "'NOPE'"),
    (["minifilter", "--trigger", "sc-stop", "--flags", "DO_NOT_SUPPORT_SERVICE_STOP,BAD"], "'BAD'"),
    (["minifilter", "--trigger", "sc-stop", "--instances", "two"], "'two'"),
    (["minifilter", "--trigger", "sc-stop", "--instances", "-1"], "-1"),
    (["minifilter", "--trigger", "sc-stop", "--instances", "99"], "99"),
    (["minifilter", "--trigger", "sc-stop", "--instances", "0", "--pended-io"], "pended"),
    (["minifilter", "--trigger", "sc-stop", "--server-port", "open"], "'open'"),
    (["minifilter", "--trigger", "sc-stop", "--leaks", "context", "--skip-unregister"], "--leaks"),
    (["minifilter", "--trigger", "sc-stop", "--leaks", "context,bogus"], "'bogus'"),
    (["minifilter", "--trigger", "sc-stop", "--leaks", "context", "--instances", "0"], "instance"),
    (["minifilter", "--trigger", "sc-stop", "--send-message-wait"], "--send-message-wait"),
    (["minifilter", "--trigger", "sc-stop", "--drains-pended-io", "--no-teardown-callbacks"], "--drains-pended-io"),
    (["minifilter", "--trigger", "sc-stop", "--control-device", "open"], "'open'"),
    (["minifilter", "--trigger", "sc-stop", "--refuse-only-if-control-device-open"],
     "--refuse-only-if-control-device-open"),
    (["minifilter", "--trigger", "sc-stop", "--cleanup-mistakes", "pool-not-freed"], "--cleanup-mistakes"),
    (["minifilter", "--trigger", "sc-stop", "--global-resources", "--cleanup-mistakes", "leak"], "'leak'"),
    (["minifilter", "--trigger", "sc-stop", "--fast-startup"], "--fast-startup"),
    (["minifilter", "--trigger", "sc-stop", "--dependent-services", "--driver-entry-returns", "0xC0000001"],
     "--dependent-services"),
    (["minifilter", "--trigger", "sc-stop", "--bogus-option"], "--bogus-option"),
    (["rules", "no-such-rule"], "'no-such-rule'"),
    (["scenarios", "no-such-scenario"], "'no-such-scenario'"),
    (["frobnicate"], "'frobnicate'"),
    ([], "command"),
]


@pytest.mark.parametrize("argv, named", BAD_CLI, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_bad_cli_input_exits_2_with_one_line(capsys, argv, named):
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("unloadlab: error: ")
    assert named in err and "Traceback" not in err


def test_bad_input_in_a_real_process_has_no_traceback():
    r = subprocess.run([sys.executable, "-m", "unloadlab", "minifilter", "--trigger", "sc-stop",
                        "--callback-returns", "0xNOPE"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1
    assert "'0xNOPE'" in r.stderr and "accepted" not in r.stdout


def test_a_real_process_prints_json():
    r = subprocess.run([sys.executable, "-m", "unloadlab", "minifilter", "--trigger", "shutdown",
                        "--shutdown-preop", "--json"], capture_output=True, text=True, timeout=60)
    d = json.loads(r.stdout)
    assert r.returncode == 0 and d["shutdown_preop_called"] is True and d["callback_called"] is False


BAD_API = [
    (dict(trigger="bogus"), "trigger"), (dict(trigger=None), "trigger"), (dict(trigger=3), "trigger"),
    (dict(trigger="sc-stop", unload_callback="yes"), "unload_callback"),
    (dict(trigger="sc-stop", shutdown_preop=1), "shutdown_preop"),
    (dict(trigger="sc-stop", callback_returns=1.5), "callback_returns"),
    (dict(trigger="sc-stop", callback_returns=-1), "callback_returns"),
    (dict(trigger="sc-stop", callback_returns=2**32), "callback_returns"),
    (dict(trigger="sc-stop", driver_entry_returns="0xG"), "driver_entry_returns"),
    (dict(trigger="sc-stop", flags=["NOPE"]), "NOPE"), (dict(trigger="sc-stop", flags=5), "flags"),
    (dict(trigger="sc-stop", flags=[1]), "flags"),
    (dict(trigger="sc-stop", instances="2"), "instances"), (dict(trigger="sc-stop", instances=True), "instances"),
    (dict(trigger="sc-stop", instances=9), "instances"),
    (dict(trigger="sc-stop", server_port="open"), "server_port"),
    (dict(trigger="sc-stop", instances=0, pended_io=True), "pended_io"),
    (dict(trigger="sc-stop", leaks="context", calls_unregister=False), "leaks"),
    (dict(trigger="sc-stop", leaks=[1]), "leaks"), (dict(trigger="sc-stop", cleanup_mistakes=5), "cleanup_mistakes"),
    (dict(trigger="sc-stop", control_device="open"), "control_device"),
    (dict(trigger="sc-stop", driver_verifier="yes"), "driver_verifier"),
    (dict(trigger="sc-stop", fast_startup=True), "fast_startup"),
]


@pytest.mark.parametrize("knobs, named", BAD_API)
def test_bad_api_input_is_a_clear_error(knobs, named):
    with pytest.raises(ScenarioError) as e:
        MinifilterScenario(**knobs)
    assert named in str(e.value)


def test_simulate_rejects_a_non_scenario():
    from unloadlab.minifilter import simulate
    with pytest.raises(ScenarioError, match="MinifilterScenario"):
        simulate({"trigger": "sc-stop"})


@pytest.mark.parametrize("argv, named, accepted", [
    (["minifilter", "--trigger", "sc-stop", "--flags", ","], "--flags: an empty name", "DO_NOT_SUPPORT_SERVICE_STOP"),
    (["minifilter", "--trigger", "sc-stop", "--leaks", ","], "--leaks: an empty name", "object-reference"),
    (["minifilter", "--trigger", "sc-stop", "--leaks", "context,,open-file"], "--leaks: an empty name", "work-item"),
    (["minifilter", "--trigger", "sc-stop", "--global-resources", "--cleanup-mistakes", "pool-not-freed,"],
     "--cleanup-mistakes: an empty name", "timer-not-cancelled"),
    (["rules", ""], "unknown rule id ''", "python -m unloadlab rules"),
    (["scenarios", ""], "unknown scenario ''", "filterunload-success"),
])
def test_an_empty_item_or_name_is_an_error_saying_what_is_accepted(capsys, argv, named, accepted):
    """Issue 19, item 18: not the same as giving nothing."""
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and named in err and accepted in err


def test_the_same_empty_item_through_the_api():
    with pytest.raises(ScenarioError, match="^flags: an empty name"):
        MinifilterScenario(trigger="sc-stop", flags=",")
    with pytest.raises(ScenarioError, match="^leaks: '' is not one of: context, "):
        MinifilterScenario(trigger="sc-stop", leaks=["context", ""])
    assert MinifilterScenario(trigger="sc-stop", leaks="context,context").leaks == \
        MinifilterScenario(trigger="sc-stop", leaks="context").leaks   # a set: named twice counts once
