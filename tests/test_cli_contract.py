"""The CLI's output is a contract: for a fixed list of argument sets over both families and
many knobs (valid runs with --json and --c, and bad input), the exit status, stdout and
stderr must stay what they were when the golden file was written (commit 9773611, before
the knobs were declared once). Outputs are stored as SHA-256 digests; error lines in full.
Two error lines changed on purpose since: a bad --trigger (minifilter) or --filters value is
now reported in the scenario's words ("--filters: 'nope' is not one of: ..."), like every
other enum knob, instead of argparse's "invalid choice". Regenerated once after issue 19
(the callout defaults became the canonical teardown; headlines name the mistakes a driver's
code holds; Driver Verifier's 0xC7; unloaded is null where undocumented) and issue 17 (the
`why` subcommand in the usage line): those output changes were intended.

Regenerate only when a change of output is intended (say so in the commit):
``python tests/test_cli_contract.py``."""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import random
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden" / "cli_contract.json"

_MINIFILTER_VALUED = {
    "--callback-returns": ["STATUS_FLT_DO_NOT_DETACH", "0xC01C0010", "STATUS_OBJECT_NAME_EXISTS", "STATUS_SUCCESS"],
    "--flags": ["DO_NOT_SUPPORT_SERVICE_STOP", "SUPPORT_NPFS_MSFS,SUPPORT_WCOS"],
    "--driver-entry-returns": ["STATUS_UNSUCCESSFUL", "0x40000000"],
    "--instances": ["0", "2", "8"],
    "--server-port": ["closed-before-unregister", "left-open"],
    "--leaks": ["context", "work-item,open-file"],
    "--control-device": ["created", "handle-open"],
    "--cleanup-mistakes": ["timer-not-cancelled", "pool-not-freed,notify-routine-left"],
}
_MINIFILTER_FLAGS = ["--no-unload-callback", "--refuse-only-if-not-mandatory", "--shutdown-preop",
                     "--no-teardown-callbacks", "--pended-io", "--skip-unregister", "--no-privilege",
                     "--send-message-wait", "--drains-pended-io", "--refuse-only-if-control-device-open",
                     "--global-resources", "--driver-verifier", "--dependent-services", "--fast-startup"]
_MINIFILTER_TRIGGERS = ["FilterUnload", "FltUnloadFilter", "fltmc-unload", "sc-stop", "net-stop",
                        "ControlService", "shutdown"]
_CALLOUT_VALUED = {
    "--model": ["wdm", "wdf", "wdf-pnp"],
    "--trigger": ["sc-stop", "net-stop", "ControlService", "shutdown", "device-removal"],
    "--flows-with-context": ["0", "1", "5", "64"],
    "--callouts": ["1", "3", "8"],
    "--driver-entry-returns": ["STATUS_UNSUCCESSFUL", "0x40000000"],
    "--filters": ["dynamic-session", "deleted-by-key", "after-unregister", "left-in-place"],
    "--unregister-in": ["unload-function", "self-managed-io-cleanup"],
}
_CALLOUT_FLAGS = ["--no-unload-function", "--skip-unregister", "--ignore-unregister-result",
                  "--remove-flow-contexts", "--retry-on-busy", "--pending-removal", "--wait-for-flow-deletes",
                  "--permit-if-unregistered", "--classify-in-progress", "--drain-after-unregister",
                  "--unregister-at-apc-level", "--no-privilege", "--dependent-services"]
_BAD = [
    ["minifilter"], ["minifilter", "--trigger", "nope"], ["minifilter", "--trigger", "sc-stop", "--instances", "x"],
    ["minifilter", "--trigger", "sc-stop", "--instances", "9"], ["minifilter", "--trigger", "sc-stop", "--leaks", "x"],
    ["minifilter", "--trigger", "sc-stop", "--callback-returns", "0xZZ"],
    ["minifilter", "--trigger", "sc-stop", "--flags", "NOPE"],
    ["minifilter", "--trigger", "sc-stop", "--pended-io", "--instances", "0"],
    ["minifilter", "--trigger", "sc-stop", "--fast-startup"],
    ["minifilter", "--trigger", "sc-stop", "--leaks", "context", "--skip-unregister"],
    ["minifilter", "--trigger", "sc-stop", "--cleanup-mistakes", "pool-not-freed"],
    ["minifilter", "--trigger", "sc-stop", "--json", "--c"],
    ["callout", "--model", "kmdf"], ["callout", "--trigger", "FilterUnload"], ["callout", "--trigger", "device-removal"],
    ["callout", "--flows-with-context", "65"], ["callout", "--callouts", "0"], ["callout", "--callouts", "two"],
    ["callout", "--retry-on-busy", "--ignore-unregister-result"], ["callout", "--pending-removal"],
    ["callout", "--wait-for-flow-deletes"], ["callout", "--unregister-at-apc-level", "--skip-unregister"],
    ["callout", "--unregister-in", "self-managed-io-cleanup"], ["callout", "--filters", "nope"],
    ["callout", "--driver-entry-returns", "STATUS_NOPE"],
    ["callout", "--dependent-services", "--driver-entry-returns", "STATUS_UNSUCCESSFUL"],
    ["nope"], ["callout", "--bogus"],
]


def argument_sets() -> list[list[str]]:
    """The fixed list: the bad inputs above, then seeded draws of each family's options."""
    rng = random.Random(20)
    sets = [list(a) for a in _BAD]
    for i in range(90):
        argv = ["minifilter", "--trigger", _MINIFILTER_TRIGGERS[i % len(_MINIFILTER_TRIGGERS)]]
        for opt in rng.sample(sorted(_MINIFILTER_VALUED), rng.randint(0, 3)):
            argv += [opt, rng.choice(_MINIFILTER_VALUED[opt])]
        argv += rng.sample(_MINIFILTER_FLAGS, rng.randint(0, 4))
        sets.append(argv + (["--c"] if i % 9 == 8 else ["--json"] if i % 3 else []))
    for i in range(90):
        argv = ["callout"]
        for opt in rng.sample(sorted(_CALLOUT_VALUED), rng.randint(0, 3)):
            argv += [opt, rng.choice(_CALLOUT_VALUED[opt])]
        argv += rng.sample(_CALLOUT_FLAGS, rng.randint(0, 4))
        sets.append(argv + (["--c"] if i % 9 == 8 else ["--json"] if i % 3 else []))
    return sets


def run(argv: list[str]) -> dict:
    from unloadlab.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as e:   # --help
            code = e.code
    return {"argv": argv, "code": code, "stdout": hashlib.sha256(out.getvalue().encode()).hexdigest(),
            "stderr": err.getvalue()}


def test_the_golden_file_covers_at_least_100_runs_of_both_families():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    ok = [g for g in golden if g["code"] == 0]
    assert len(golden) >= 100 and {g["argv"][0] for g in ok} == {"minifilter", "callout"}
    assert len(ok) >= 100


@pytest.mark.parametrize("expected", json.loads(GOLDEN.read_text(encoding="utf-8")),
                         ids=lambda g: " ".join(g["argv"]))
def test_the_cli_output_is_unchanged(expected):
    assert run(expected["argv"]) == expected


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps([run(a) for a in argument_sets()], indent=1) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}", file=sys.stderr)
