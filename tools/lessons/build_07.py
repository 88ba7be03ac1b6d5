"""Build notebooks/07-unload-routine.ipynb (sources only; run tools/run_notebooks.py after)."""
from textwrap import dedent

from _lessons import code, md, write

IFS = "https://learn.microsoft.com/windows-hardware/drivers/ifs/"
DDI = "https://learn.microsoft.com/windows-hardware/drivers/ddi/fltkernel/"
WRITING = IFS + "writing-a-filterunloadcallback-routine"
PORT = IFS + "closing-the-communication-server-port"
CLEANUP = IFS + "performing-global-cleanup"
UNREG = IFS + "unregistering-the-minifilter"
LOADING = IFS + "loading-and-unloading"
TEARDOWN = DDI + "nc-fltkernel-pflt_instance_teardown_callback"
QUERY = DDI + "nc-fltkernel-pflt_instance_query_teardown_callback"
FACTS = "../docs/domain-facts.md"

NAV = """
[← 06 · Shutdown is not an unload](06-shutdown.ipynb) |
[Start here](00-start-here.ipynb) |
[08 · WFP callout drivers →](08-wfp-callout.ipynb)
"""

cells = [
    md("# 07 · Inside the unload routine\n" + NAV + dedent("""
    **What you will learn** (about 15 minutes)

    - What a FilterUnloadCallback that lets the unload go ahead must do, and in which order:
      close the server port, call FltUnregisterFilter, clean up globals, return.
    - What FltUnregisterFilter does for you: it tears down every instance, calling
      InstanceTeardownStart and then InstanceTeardownComplete with a reason flag, and it
      never asks InstanceQueryTeardown.
    - The two classic hangs: a server port left open, and pended I/O nobody completes.
    - What happens if the routine forgets FltUnregisterFilter: the documentation does not say.
    """)),
    code("""
    %matplotlib inline
    from unloadlab.views.code import driver_c
    from unloadlab.exercises import check_prediction
    from unloadlab.catalogue import rule
    from unloadlab.catalogue import example, format_lesson
    from unloadlab.windows import Mark, Outcome
    from unloadlab.views.text import format_trace
    from unloadlab.exercises.widgets import Quiz
from unloadlab.views.widgets import Panel
    """),
    md(f"""
    ## The rules, in our words

    - **`unload-routine-order`**: once it has decided not to refuse, the routine does four
      things in a fixed order: close every communication server port, call
      FltUnregisterFilter, free its global state, return a status.
      ([Writing a FilterUnloadCallback Routine]({WRITING}),
      [Performing Global Cleanup]({CLEANUP}))
    - **`port-before-unregister`**: the server port must be closed *before*
      FltUnregisterFilter, or the unload hangs. Closing the server port only stops new
      connections; clients already connected are disconnected by the filter manager.
      ([Closing the Communication Server Port]({PORT}))
    - **`fltunregister-teardown`** and **`fltunregister-blocks`**: FltUnregisterFilter
      removes the callbacks, tears down every instance, deletes the filter's contexts, and
      does not return while anything still holds a reference on the filter.
      ([Unregistering the Minifilter]({UNREG}))
    - **`teardown-sequence`** and **`teardown-reason`**: each instance gets
      InstanceTeardownStart, then, once its outstanding I/O is done, InstanceTeardownComplete.
      Both receive a reason: FILTER_UNLOAD (0x2) for a non-mandatory unload,
      MANDATORY_FILTER_UNLOAD (0x4) for a service stop. Without teardown callbacks the
      instances are torn down all the same.
      ([Loading and Unloading]({LOADING}), [PFLT_INSTANCE_TEARDOWN_CALLBACK]({TEARDOWN}))
    - **`query-teardown-manual-only`**: InstanceQueryTeardown is asked only when someone
      detaches an instance by hand (`fltmc detach`). An unload never asks it, so it cannot
      veto an unload. ([PFLT_INSTANCE_QUERY_TEARDOWN_CALLBACK]({QUERY}))
    - **`teardown-hang`**: InstanceTeardownComplete is not called while a pended operation
      (or I/O the filter started itself) is still outstanding, and the unload looks hung
      until it is. ([PFLT_INSTANCE_TEARDOWN_CALLBACK]({TEARDOWN}))
    - **`silent-no-unregister`** (*documentation silent*): nothing says what happens when the
      routine returns success without having called FltUnregisterFilter. Treat it as a
      driver bug. ([domain-facts, open question 4]({FACTS}))
    """),
    code("""
    for rid in ("unload-routine-order", "port-before-unregister", "teardown-hang", "silent-no-unregister"):
        print(f"{rid} [{rule(rid).kind.value}]: {rule(rid).statement}")
    """),
    md("""
    ## The routine, in C

    This is the driver the lab simulates when the server port is closed first. Read
    `Unload` at the top: port, unregister, cleanup, return. The comments name the rule
    behind each line. (The **C code** tab of the panel below shows the same listing for
    whatever you choose.)
    """),
    code("""
    print(driver_c(example("port-closed-first").scenario()))
    """),
    md("""
    Two details in that listing. `InstanceQueryTeardown` is there, but it matters only for a
    manual detach. And DriverEntry's error paths undo what it has done so far (lesson 05):
    no unload routine will ever run for a load that failed.

    ## Running it: `sc stop`, two volumes, port closed first
    """),
    code("""
    trace = example("port-closed-first").run()
    print(format_trace(trace, with_rules=False))
    """),
    md("""
    Steps 10, 11 and 18 are the routine's own calls, in order. Between them, steps 12-17
    happen *inside* FltUnregisterFilter: the filter manager skips InstanceQueryTeardown and
    tears down C: and then D:, each Start before Complete. The reason is
    MANDATORY_FILTER_UNLOAD because `sc stop` is mandatory; whether FILTER_UNLOAD (0x2) is
    set as well is not documented (rule `silent-teardown-reason`). The lab tears volumes
    down one after another; whether Windows does them one by one or in parallel is not
    documented either.
    """),
    code("""
    step = {s.action.split("(")[0]: n for n, s in enumerate(trace.steps, 1)}
    assert step["FltCloseCommunicationPort"] < step["FltUnregisterFilter"]  # the port is closed first,
    assert step["FltUnregisterFilter"] < step["global cleanup"]             # then the filter unregistered,
    assert step["global cleanup"] < step["FilterUnloadCallback returns"]    # then globals freed, then return
    """),
    code("""
    teardown = [s.action.split("(")[0] for s in trace.steps if s.action.startswith("Instance")]
    print(teardown)
    assert teardown == ["InstanceQueryTeardownCallback not called",
                        "InstanceTeardownStartCallback", "InstanceTeardownCompleteCallback",  # C:
                        "InstanceTeardownStartCallback", "InstanceTeardownCompleteCallback"]  # D:
    """),
    md("""
    ## Hang 1: the server port left open

    The same routine without `FltCloseCommunicationPort`, asked by `fltmc unload`:
    """),
    code("""
    trace = example("port-left-open").run()
    print(format_trace(trace, with_rules=False))
    """),
    code("""
    assert trace.outcome is Outcome.HUNG                         # FltUnregisterFilter never returns
    assert trace.steps[-1].mark is Mark.HUNG                     # the last step is the wait
    assert trace["requester_got"].startswith("nothing")          # fltmc waits for ever
    """),
    md("""
    Nothing fails and nothing is printed: `fltmc` just never comes back. That is what makes
    this bug hard to spot in the field.

    ## Hang 2: a pended operation nobody completes

    InstanceTeardownStart is the minifilter's chance to complete every operation it has
    pended and to stop pending new ones. If one is left outstanding, InstanceTeardownComplete
    never comes, and FltUnregisterFilter waits inside the teardown:
    """),
    code("""
    hung = example("pended-io-hangs").run()
    print(hung.steps[-1].action, "--", hung.steps[-1].detail)
    assert hung.outcome is Outcome.HUNG       # the unload never finishes
    assert hung["instances_torn_down"] == 0   # C: got TeardownStart, never TeardownComplete
    """),
    md("""
    ## Forgetting FltUnregisterFilter: the documentation is silent

    A routine that returns STATUS_SUCCESS without ever calling FltUnregisterFilter is a bug,
    but no Microsoft page says what the filter manager then does. The lab does not invent an
    answer: it lets the trace run on so you can see the rest, and marks the step
    **documentation silent**. Do not read the "unloaded" outcome below as a promise.
    """),
    code("""
    forgot = example("no-unregister").run()
    silent = [s for s in forgot.steps if s.mark is Mark.SILENT]
    print(silent[0].action, "--", silent[0].detail)
    print("outcome as the lab draws it:", forgot.outcome.value)
    """),
    md("""
    ## This lesson's scenarios at a glance
    """),
    code("""
    print(format_lesson("07-unload-routine"))
    """),
    md("""
    ## Try it

    The panel opens on the **C code** tab: change the server port, add pended I/O, untick
    "Calls FltUnregisterFilter", and watch `Unload` change with the outcome. The **Trace**
    tab shows the steps.
    """),
    code("""
    panel = Panel("minifilter", show=("server_port", "pended_io", "calls_unregister", "instances"),
                  trigger="fltmc-unload", server_port="closed-before-unregister", instances=2)
    panel.tabs.selected_index = 2   # open on the C code tab
    """),
    code("""
    panel
    """),
    md("""
    The same controls, driven from code:
    """),
    code("""
    panel.set(server_port="left-open")
    print(panel.outcome_text)
    """),
    code("""
    panel.set(server_port="closed-before-unregister", pended_io=True)
    print(panel.outcome_text)
    """),
    md("""
    ## Predict, then check

    `FilterUnload` on a minifilter attached to three volumes. It registers teardown
    callbacks and an InstanceQueryTeardown callback; it has no server port and no pended
    I/O. How many times is InstanceQueryTeardown asked, and what is the outcome?
    """),
    code("""
    Quiz("teardown-three-volumes", "FilterUnload, three volumes. What happens?")
    """),
    md("""
    Or in code:
    """),
    code("""
    my_prediction = None   # one of: unloaded, refused, failed, hung, shutdown, driver-entry-failed, hazard
    print(check_prediction("teardown-three-volumes", my_prediction))
    """),
    md("""
    In a terminal: `python -m unloadlab minifilter --trigger fltmc-unload --server-port left-open`.
    """),
    md("""
    ## What to remember

    1. Unload routine order: close server ports, FltUnregisterFilter, global cleanup, return.
    2. FltUnregisterFilter tears down each instance (Start, then Complete, with a reason); InstanceQueryTeardown is never asked.
    3. An open server port or an uncompleted pended operation makes the unload hang with no error at all.
    """),
    md(NAV),
]

if __name__ == "__main__":
    write("07-unload-routine.ipynb", cells)
