"""``python -m unloadlab callout``: JSON keys, readable text, every option, one-line errors."""
import json
import subprocess
import sys

import pytest

from unloadlab.callout import CalloutScenario
from unloadlab.cli import main
from unloadlab.windows import StatusError
from unloadlab.windows import ScenarioError
from unloadlab.windows.c_text import bugs

REQUIRED_KEYS = {"model", "trigger", "mandatory", "unloaded", "unload_function_called", "driver_unload_called",
                 "callouts_registered", "unregister_results", "flow_contexts_remaining", "requester_got", "printed",
                 "outcome", "headline", "rules", "steps"}
NEW_KEYS = {"traffic_after_unload", "filters_remaining", "image_unloaded", "filters", "permit_if_unregistered",
            "classify_in_progress", "drains_before_unregister", "unregister_at_apc_level", "unregister_in",
            "waits_for_flow_deletes", "caller_privileged", "dependent_services"}


def cli(capsys, *argv):
    code = main(["callout", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def as_json(capsys, *argv) -> dict:
    code, out, err = cli(capsys, *argv, "--json")
    assert code == 0 and err == ""
    return json.loads(out)


def test_json_has_the_contract_keys(capsys):
    d = as_json(capsys)
    assert REQUIRED_KEYS <= d.keys()
    # "model" is both the family and the knob; Trace.to_dict lets the knob's "wdm" win, so only its
    # presence is part of the contract here.
    assert (d["trigger"], d["unloaded"], d["unload_function_called"], d["callouts_registered"],
            d["unregister_results"]) == ("sc-stop", True, True, 0, ["STATUS_SUCCESS", "STATUS_SUCCESS"])
    assert all({"actor", "target", "kind", "action", "detail", "status", "mark", "rules"} <= s.keys()
               for s in d["steps"])
    assert "wfp-unregister-by-id" in d["rules"]
    assert NEW_KEYS <= d.keys() and d["traffic_after_unload"] is None and d["image_unloaded"] is True


@pytest.mark.parametrize("argv, traffic", [
    ([], None),                                                                   # the session closed first
    (["--filters", "left-in-place"], "blocked"),                                  # fail closed
    (["--filters", "left-in-place", "--permit-if-unregistered"], "permitted"),
    (["--filters", "left-in-place", "--skip-unregister"], None),                  # callouts still registered
    (["--filters", "after-unregister"], None),                                    # blocked only meanwhile
    (["--filters", "left-in-place", "--trigger", "shutdown"], None),              # not an unload
])
def test_traffic_after_unload(capsys, argv, traffic):
    d = as_json(capsys, *argv)
    assert d["traffic_after_unload"] == traffic


def test_text_echoes_inputs_then_steps_outcome_and_rules(capsys):
    code, out, err = cli(capsys, "--model", "wdf")
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0] == "callout scenario" and lines[1] == "  model: wdf" and lines[2] == "  trigger: sc-stop"
    assert "EvtDriverUnload(Driver)" in out and "Outcome: unloaded." in out and "Rules cited:" in out


@pytest.mark.parametrize("argv, expected", [
    (["--no-unload-function"], {"outcome": "failed without calling the unload routine", "unload_function": False,
                                "requester_got": "Win32 error 1052 (ERROR_INVALID_SERVICE_CONTROL)"}),
    (["--skip-unregister"], {"unregisters": False, "callouts_registered": 2, "unloaded": None,
                             "outcome": "callouts still registered; whether the image goes is not documented"}),
    (["--ignore-unregister-result", "--flows-with-context", "1", "--no-remove-flow-contexts", "--no-retry-on-busy", "--no-wait-for-flow-deletes"],
     {"check_unregister_result": False, "unregister_results": ["STATUS_DEVICE_BUSY", "STATUS_SUCCESS"]}),
    (["--flows-with-context", "2", "--remove-flow-contexts", "--no-retry-on-busy"],
     {"remove_flow_contexts": "before-unregister", "flow_delete_calls": 2,
      "unregister_results": ["STATUS_SUCCESS"] * 2}),
    (["--flows-with-context", "1", "--retry-on-busy", "--no-remove-flow-contexts"],
     {"remove_flow_contexts": "on-device-busy", "unregister_results": ["STATUS_DEVICE_BUSY", "STATUS_SUCCESS",
                                                                      "STATUS_SUCCESS"]}),
    (["--flows-with-context", "1", "--retry-on-busy", "--pending-removal", "--callouts", "1",
      "--no-remove-flow-contexts", "--no-wait-for-flow-deletes"],
     {"flow_removal": "pending", "unregister_results": ["STATUS_DEVICE_BUSY", "(not documented)"]}),
    (["--callouts", "5"], {"callouts": 5, "unregister_results": ["STATUS_SUCCESS"] * 5}),
    (["--driver-entry-returns", "0xC000009A"],
     {"outcome": "unloaded after DriverEntry failed",
      "driver_entry_returns": "STATUS_INSUFFICIENT_RESOURCES (0xC000009A, error)"}),
    (["--trigger", "shutdown", "--model", "wdf"], {"outcome": "not called at shutdown", "mandatory": False}),
    (["--trigger", "net-stop"], {"caller": "net.exe", "mandatory": True}),
    (["--trigger", "ControlService", "--no-unload-function"],
     {"requester_got": "ControlService returns FALSE; GetLastError() = 1052 (ERROR_INVALID_SERVICE_CONTROL)"}),
    (["--model", "wdf-pnp", "--trigger", "device-removal", "--no-unload-function", "--unregister-in",
      "unload-function"],
     {"driver_unload_called": True, "unload_function_called": False, "callouts_registered": 2}),
    (["--model", "wdf-pnp"], {"driver_unload_set": True, "driver_unload_called": False, "unloaded": False}),
    # the teardown's knobs
    (["--flows-with-context", "2", "--remove-flow-contexts", "--retry-on-busy"],
     {"remove_flow_contexts": "before-and-on-busy", "unregister_results": ["STATUS_SUCCESS"] * 2}),
    (["--flows-with-context", "2", "--retry-on-busy", "--pending-removal", "--wait-for-flow-deletes", "--callouts",
      "1", "--no-remove-flow-contexts"], {"waits_for_flow_deletes": True, "unregister_results": ["STATUS_DEVICE_BUSY", "STATUS_SUCCESS"]}),
    (["--filters", "deleted-by-key"], {"filters": "deleted-by-key", "filters_remaining": 0}),
    (["--classify-in-progress", "--drain-after-unregister", "--callouts", "1"],
     {"classify_in_progress": True, "drains_before_unregister": False, "unregister_results": ["(not documented)"],
      "outcome": "callouts still registered; whether the image goes is not documented", "image_unloaded": None}),
    (["--unregister-at-apc-level", "--callouts", "1"],
     {"unregister_at_apc_level": True, "unregister_results": ["STATUS_NOT_SUPPORTED"], "callouts_registered": 1}),
    (["--model", "wdf-pnp", "--trigger", "device-removal", "--unregister-in", "self-managed-io-cleanup"],
     {"unregister_in": "self-managed-io-cleanup", "outcome": "unloaded", "callouts_registered": 0}),
    (["--no-privilege"], {"caller_privileged": False, "requester_got": "Win32 error 5 (ERROR_ACCESS_DENIED)"}),
    (["--dependent-services", "--trigger", "ControlService"],
     {"dependent_services": True,
      "requester_got": "ControlService returns FALSE; GetLastError() = 1051 (ERROR_DEPENDENT_SERVICES_RUNNING)"}),
])
def test_every_option_reaches_the_model(capsys, argv, expected):
    d = as_json(capsys, *argv)
    assert {k: d[k] for k in expected} == expected


def test_sc_stop_prints_the_observed_1052_lines(capsys):
    d = as_json(capsys, "--no-unload-function")
    assert d["printed"] == ["[SC] ControlService FAILED 1052:", "",
                            "The requested control is not valid for this service."]


# Each bad input: the CLI argv, the API knobs that carry the same mistake (or None when the
# mistake exists only on the command line), and the text that must be named.
BAD_INPUTS = [
    (["--model", "kmdf"], dict(model="kmdf"), "kmdf"),
    (["--trigger", "FilterUnload"], dict(trigger="FilterUnload"), "FilterUnload"),
    (["--trigger", "fltmc-unload"], dict(trigger="fltmc-unload"), "fltmc-unload"),
    (["--trigger", "device-removal"], dict(trigger="device-removal"), "device-removal"),
    (["--flows-with-context", "-1"], dict(flows_with_context=-1), "-1"),
    (["--flows-with-context", "65"], dict(flows_with_context=65), "65"),
    (["--flows-with-context", "99999999999999999999"], dict(flows_with_context=99999999999999999999),
     "99999999999999999999"),
    (["--flows-with-context", "two"], dict(flows_with_context="two"), "two"),
    (["--flows-with-context", "1.5"], dict(flows_with_context=1.5), "1.5"),
    (["--callouts", "0"], dict(callouts=0), "0"),
    (["--callouts", "9"], dict(callouts=9), "9"),
    (["--driver-entry-returns", "0xC000000G"], dict(driver_entry_returns="0xC000000G"), "0xC000000G"),
    (["--driver-entry-returns", "0x1FFFFFFFF"], dict(driver_entry_returns="0x1FFFFFFFF"), "0x1FFFFFFFF"),
    (["--driver-entry-returns", "status_success"], dict(driver_entry_returns="status_success"), "status_success"),
    (["--no-remove-flow-contexts", "--ignore-unregister-result"],
     dict(remove_flow_contexts="on-device-busy", check_unregister_result=False), "on-device-busy"),
    (["--ignore-unregister-result"], dict(check_unregister_result=False), "--flow-contexts"),
    (["--pending-removal", "--no-remove-flow-contexts", "--no-retry-on-busy", "--no-wait-for-flow-deletes"],
     dict(flow_removal="pending", remove_flow_contexts="none", waits_for_flow_deletes=False), "pending"),
    (["--no-remove-flow-contexts", "--no-retry-on-busy"], dict(remove_flow_contexts="none"),
     "--no-wait-for-flow-deletes"),
    (["--unregister-at-apc-level", "--skip-unregister"], dict(unregister_at_apc_level=True, unregisters=False),
     "--unregister-at-apc-level"),
    (["--unregister-in", "self-managed-io-cleanup"], dict(unregister_in="self-managed-io-cleanup"),
     "self-managed-io-cleanup"),
    (["--filters", "sideways"], dict(filters="sideways"), "sideways"),
    (["--dependent-services", "--driver-entry-returns", "STATUS_UNSUCCESSFUL"],
     dict(dependent_services=True, driver_entry_returns="STATUS_UNSUCCESSFUL"), "--dependent-services"),
    (["--c", "--json"], None, "--json"),
    (["--frobnicate"], None, "--frobnicate"),
]


@pytest.mark.parametrize("argv, knobs, named", BAD_INPUTS, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_bad_input_exits_2_with_one_line_naming_it(capsys, argv, knobs, named):
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("unloadlab: error: ") and "Traceback" not in err
    assert named in err


@pytest.mark.parametrize("argv, knobs, named", [b for b in BAD_INPUTS if b[1] is not None],
                         ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_the_same_bad_input_through_the_api(argv, knobs, named):
    with pytest.raises(ScenarioError) as e:
        CalloutScenario(**knobs)
    knob_name = {"--no-wait-for-flow-deletes": "waits_for_flow_deletes",
                 "--flow-contexts": "remove_flow_contexts"}.get(named, named)
    knob_name = knob_name.lstrip("-").replace("-", "_") if knob_name.startswith("--") else knob_name
    assert knob_name in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("knobs, named", [
    (dict(unload_function="no"), "unload_function"),
    (dict(check_unregister_result=1), "check_unregister_result"),
    (dict(callouts="2"), "'2'"),
    (dict(model=None), "None"),
    (dict(driver_entry_returns=3.5), "float"),
])
def test_wrong_types_through_the_api(knobs, named):
    with pytest.raises(ScenarioError) as e:
        CalloutScenario(**knobs)
    assert named in str(e.value)
    assert not isinstance(e.value, StatusError)


def test_the_option_named_in_cli_errors_is_the_cli_option(capsys):
    _, _, err = cli(capsys, "--retry-on-busy", "--ignore-unregister-result")
    assert err.startswith("unloadlab: error: --retry-on-busy: ")
    _, _, err = cli(capsys, "--pending-removal", "--no-remove-flow-contexts", "--no-retry-on-busy", "--no-wait-for-flow-deletes")
    assert err.startswith("unloadlab: error: --pending-removal: ")
    _, _, err = cli(capsys, "--callouts", "0")
    assert err.startswith("unloadlab: error: --callouts: ")
    _, _, err = cli(capsys, "--driver-entry-returns", "0xZZ")
    assert err.startswith("unloadlab: error: --driver-entry-returns: ")


def test_scenarios_and_rules_subcommands_know_the_callout_family(capsys):
    assert main(["scenarios", "wfp-skip-unregister", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["unregisters"] is False and d["callouts_registered"] == 2
    assert main(["rules", "wfp-unregister-busy"]) == 0
    assert "STATUS_DEVICE_BUSY" in capsys.readouterr().out
    assert main(["scenarios"]) == 0
    assert "wfp-pending-removal" in capsys.readouterr().out


# --- a few runs of the real command ---------------------------------------------------------------
def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "unloadlab", "callout", *argv], capture_output=True, text=True,
                          timeout=60)


def test_subprocess_json():
    p = _run("--model", "wdf", "--flows-with-context", "3", "--no-remove-flow-contexts", "--json")
    d = json.loads(p.stdout)
    assert p.returncode == 0 and p.stderr == ""
    assert d["unloaded"] is True and d["unregister_results"].count("STATUS_DEVICE_BUSY") == 2


@pytest.mark.parametrize("model", ["wdm", "wdf", "wdf-pnp"])
def test_the_bare_command_prints_the_canonical_teardown(capsys, model):
    """Issue 19, item 3: the defaults are the code to copy, so the bare --c has no BUG line and
    the headline names no mistake in the code (a service stop still cannot unload a PnP driver)."""
    code, out, _ = cli(capsys, "--model", model, "--c")
    assert code == 0 and "BUG" not in out and bugs(out) == []
    d = as_json(capsys, "--model", model)
    assert "Its code holds" not in d["headline"]
    assert (d["remove_flow_contexts"], d["waits_for_flow_deletes"]) == ("before-and-on-busy", True)
    assert d["unregister_in"] is None   # not given: the right place for the model, which the C shows
    assert ("VOID\nEvtDeviceSelfManagedIoCleanup" in out or "EvtDeviceSelfManagedIoCleanup(" in out) == (model == "wdf-pnp")


@pytest.mark.parametrize("argv, bug_rule", [
    (["--no-remove-flow-contexts", "--no-retry-on-busy", "--no-wait-for-flow-deletes"],
     "wfp-sample-stop-at-first-failure"),
    (["--no-wait-for-flow-deletes"], "wfp-wait-flow-deletes"),
    (["--model", "wdf-pnp", "--unregister-in", "unload-function"], "wfp-unregister-before-device-delete"),
])
def test_each_flipped_default_still_reaches_its_mistake(capsys, argv, bug_rule):
    code, out, _ = cli(capsys, *argv, "--c")
    assert code == 0 and bug_rule in [rule for _, rule in bugs(out)]


def test_subprocess_bad_input_is_one_line_without_traceback():
    p = _run("--trigger", "FilterUnload")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr and "'FilterUnload'" in p.stderr


def test_subprocess_help_lists_the_options():
    p = _run("--help")
    assert p.returncode == 0
    for option in ("--model", "--trigger", "--no-unload-function", "--skip-unregister", "--ignore-unregister-result",
                   "--flows-with-context", "--remove-flow-contexts", "--retry-on-busy", "--pending-removal",
                   "--callouts", "--driver-entry-returns", "--json", "--wait-for-flow-deletes", "--filters",
                   "--permit-if-unregistered", "--classify-in-progress", "--drain-after-unregister",
                   "--unregister-at-apc-level", "--unregister-in", "--no-privilege", "--dependent-services", "--c"):
        assert option in p.stdout


# --- --c: the driver's C for the same knobs -------------------------------------------------------
def test_c_prints_the_driver_c_for_the_knobs(capsys):
    from unloadlab.callout import CANONICAL, callout_c
    code, out, err = cli(capsys, "--model", "wdf", "--remove-flow-contexts", "--retry-on-busy",
                         "--wait-for-flow-deletes", "--callouts", "3", "--c")
    assert code == 0 and err == ""
    assert out == callout_c(CalloutScenario(model="wdf", callouts=3, **CANONICAL))
    assert "BUG" not in out and "VOID EvtDriverUnload(WDFDRIVER Driver)" in out


def test_c_follows_every_code_knob(capsys):
    _, default, _ = cli(capsys, "--c")
    _, left, _ = cli(capsys, "--filters", "left-in-place", "--c")
    _, apc, _ = cli(capsys, "--unregister-at-apc-level", "--c")
    assert default != left and "FwpmCalloutDeleteByKey0" in left and "ExAcquireFastMutex" in apc
    _, world, _ = cli(capsys, "--flows-with-context", "5", "--classify-in-progress", "--trigger", "net-stop", "--c")
    assert world == default   # the world around the driver does not change its code


def test_minifilter_c_prints_the_minifilter_source(capsys):
    from unloadlab.minifilter import MinifilterScenario, minifilter_c
    code = main(["minifilter", "--trigger", "fltmc-unload", "--server-port", "closed-before-unregister", "--c"])
    out, err = capsys.readouterr()
    assert code == 0 and err == "" and out.startswith("#include <fltKernel.h>")
    assert out == minifilter_c(MinifilterScenario(trigger="fltmc-unload", server_port="closed-before-unregister"))
    assert main(["minifilter", "--trigger", "sc-stop", "--c", "--json"]) == 2
    assert "not allowed with" in capsys.readouterr().err
