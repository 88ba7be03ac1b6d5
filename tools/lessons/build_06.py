"""Build notebooks/06-shutdown.ipynb (sources only; run tools/run_notebooks.py after)."""
from textwrap import dedent

from _lessons import code, md, write

WHEN = "https://learn.microsoft.com/windows-hardware/drivers/ifs/when-the-filterunloadcallback-routine-is-called"
OPREG = "https://learn.microsoft.com/windows-hardware/drivers/ddi/fltkernel/ns-fltkernel-_flt_operation_registration"
ENV = "https://learn.microsoft.com/windows-hardware/drivers/kernel/unload-routine-environment"

NAV = """
[← 05 · When DriverEntry fails](05-driver-entry-fails.ipynb) |
[Start here](00-start-here.ipynb) |
[07 · The unload routine →](07-unload-routine.ipynb)
"""

cells = [
    md("# 06 · Shutdown is not an unload\n" + NAV + dedent("""
    **What you will learn** (about 10 minutes)

    - When Windows shuts down, a minifilter's FilterUnloadCallback is **not** called.
      Shutdown is neither a mandatory nor a non-mandatory unload: it is no unload at all.
    - A minifilter that has work to do at shutdown (flush a log, save state) registers a
      **pre-operation** callback for IRP_MJ_SHUTDOWN.
    - A **post-operation** callback for IRP_MJ_SHUTDOWN is not allowed.
    """)),
    code("""
    %matplotlib inline
    from unloadlab.views.code import driver_c
    from unloadlab.exercises import check_prediction
    from unloadlab.minifilter import MinifilterScenario, simulate
    from unloadlab.catalogue import rule
    from unloadlab.catalogue import example, format_lesson
    from unloadlab.windows import Outcome
    from unloadlab.views.text import format_trace
    from unloadlab.exercises.widgets import Quiz
from unloadlab.views.widgets import Panel
    """),
    md(f"""
    ## The rules, in our words

    - **`no-callback-at-shutdown`**: shutting the system down never calls the
      FilterUnloadCallback. Whatever the callback would have cleaned up is simply left as
      it is when the machine goes down.
      ([When the FilterUnloadCallback Routine Is Called]({WHEN}))
    - **`shutdown-preop`**: the place for shutdown work is a pre-operation callback on
      IRP_MJ_SHUTDOWN, listed in the FLT_OPERATION_REGISTRATION array the minifilter
      registers. The same entry must not name a post-operation callback.
      ([When the FilterUnloadCallback Routine Is Called]({WHEN}),
      [FLT_OPERATION_REGISTRATION]({OPREG}))

    A plain WDM driver is in the same position: its Unload routine is not called at
    shutdown either, and it handles IRP_MJ_SHUTDOWN in a dispatch routine instead
    ([Unload Routine Environment]({ENV})).
    """),
    code("""
    for rid in ("no-callback-at-shutdown", "shutdown-preop"):
        print(f"{rid}: {rule(rid).statement}")
    """),
    md("""
    ## Shutdown without a pre-operation

    A minifilter with a perfectly good FilterUnloadCallback, attached to one volume, and
    the system shuts down:
    """),
    code("""
    trace = example("shutdown-without-preop").run()
    print(format_trace(trace))
    """),
    md("""
    Step 6 is the only thing the minifilter is sent: a shutdown request, not an unload.
    Its FilterUnloadCallback is registered (step 2) and never called (step 8), and with
    no pre-operation for IRP_MJ_SHUTDOWN it gets no chance to do anything (step 7).
    """),
    code("""
    called = [s.action for s in trace.steps if s.action.startswith("FilterUnloadCallback(")]
    assert trace.outcome is Outcome.SHUTDOWN  # shutdown, not an unload
    assert called == []                       # no step ever calls the FilterUnloadCallback
    assert not trace["unloaded"]              # and nothing is counted as unloaded
    """),
    md("""
    ## The same driver, with an IRP_MJ_SHUTDOWN pre-operation

    Now compare shutdown with a service stop, for a minifilter that registered both a
    FilterUnloadCallback and a shutdown pre-operation:
    """),
    code("""
    for trigger in ("shutdown", "sc-stop"):
        t = simulate(MinifilterScenario(trigger, shutdown_preop=True))
        print(f"{trigger:9} callback called: {t['callback_called']!s:5}  "
              f"pre-operation called: {t['shutdown_preop_called']!s:5}  outcome: {t.outcome.value}")
    """),
    md("""
    Each path calls exactly one of the two routines. Cleanup that must happen in both
    cases (say, flushing a log file) needs to be reachable from both: from the
    FilterUnloadCallback *and* from the shutdown pre-operation.

    This is what the registration looks like in C. Note the `NULL` in the
    post-operation slot:
    """),
    code("""
    c = driver_c(example("shutdown-with-preop").scenario())
    print(c[c.index("static FLT_PREOP_CALLBACK_STATUS"):c.index("CONST FLT_REGISTRATION")].rstrip())
    """),
    md("""
    The documentation only says a post-operation for IRP_MJ_SHUTDOWN is not allowed. What
    Windows does if a driver registers one anyway is not documented (ReactOS's filter
    manager quietly drops it), so the lab has no knob for it.
    """),
    md("""
    ## This lesson's scenarios at a glance
    """),
    code("""
    print(format_lesson("06-shutdown"))
    """),
    md("""
    ## Try it

    Tick the IRP_MJ_SHUTDOWN pre-operation and watch the trace; then switch the trigger
    to `sc stop` and back to `system shutdown`. The **C code** tab shows the
    operation registration change.
    """),
    code("""
    panel = Panel("minifilter", show=("trigger", "shutdown_preop"), trigger="shutdown")
    """),
    code("""
    panel
    """),
    md("""
    The same controls, driven from code:
    """),
    code("""
    panel.set(shutdown_preop=True)
    print(panel.outcome_text)
    """),
    code("""
    panel.set(trigger="sc-stop")
    print(panel.outcome_text)
    """),
    md("""
    ## Predict, then check

    A minifilter registers a FilterUnloadCallback and an IRP_MJ_SHUTDOWN pre-operation.
    The system shuts down. Is this an unload? Which of the two routines runs?
    """),
    code("""
    Quiz("shutdown-with-preop", "The system shuts down. What happens?")
    """),
    md("""
    Or in code:
    """),
    code("""
    my_prediction = None   # one of: unloaded, refused, failed, hung, shutdown, driver-entry-failed, hazard
    print(check_prediction("shutdown-with-preop", my_prediction))
    """),
    md("""
    In a terminal: `python -m unloadlab minifilter --trigger shutdown --shutdown-preop`.
    """),
    md("""
    ## What to remember

    1. Shutdown never calls the FilterUnloadCallback: it is not an unload, mandatory or otherwise.
    2. Shutdown work goes in a pre-operation callback for IRP_MJ_SHUTDOWN; a post-operation is not allowed.
    3. Cleanup needed both at unload and at shutdown must be reachable from both routines.
    """),
    md(NAV),
]

if __name__ == "__main__":
    write("06-shutdown.ipynb", cells)
