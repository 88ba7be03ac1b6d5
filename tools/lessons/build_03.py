"""Build notebooks/03-mandatory.ipynb (sources only; run tools/run_notebooks.py after)."""
from _lessons import code, md, nav, sources, write

NAV = nav(("02-non-mandatory.ipynb", "02 · Non-mandatory unloads"),
          ("04-service-stop-opt-out.ipynb", "04 · Opting out of service stop"))

cells = [
    md(f"""
    # 03 · Mandatory unloads

    {NAV}

    **What you will learn** (about 12 minutes)

    - Which requests are mandatory: a service stop, whether it comes from `sc stop`,
      `net stop` or an application calling ControlService with SERVICE_CONTROL_STOP.
    - How the callback knows: FLTFL_FILTER_UNLOAD_MANDATORY in its `Flags` parameter.
    - Why refusing then achieves nothing: the filter manager unloads anyway, and a callback
      that refused has skipped its own cleanup.
    - The conditional-refusal pattern: test the flag first, refuse only when it is clear.
    """),
    code("""
    %matplotlib inline
    from unloadlab.exercises import check_prediction
    from unloadlab.catalogue import rule
    from unloadlab.catalogue import example, format_lesson
    from unloadlab.views.text import format_trace
    from unloadlab.exercises.widgets import Quiz
from unloadlab.views.widgets import Panel
    """),
    md(f"""
    ## The rules, in our words

    - **`mandatory-triggers`**: a service stop is a mandatory unload, whoever asks for it:
      `sc stop` or `net stop` at a command prompt, or an application calling ControlService
      with SERVICE_CONTROL_STOP.
      {sources("mandatory-triggers")}
    - **`scm-ntunloaddriver`** (*mechanism*: how the service control manager does it, read
      from the ControlService documentation and ReactOS, not from the minifilter pages): for
      a driver service the SCM asks the kernel to unload the driver (NtUnloadDriver); the
      I/O manager calls the driver's DriverUnload, which is the filter manager's routine,
      and that calls the FilterUnloadCallback.
      {sources("scm-ntunloaddriver")}
    - **`mandatory-flag`**: the filter manager passes FLTFL_FILTER_UNLOAD_MANDATORY in
      `Flags`, so the callback can tell a mandatory unload from the others.
      {sources("mandatory-flag")}
    - **`mandatory-ignores-refusal`**: on a mandatory unload the return value cannot save the
      minifilter. The filter manager calls the callback and then unloads the minifilter,
      whatever the callback returned.
      {sources("mandatory-ignores-refusal")}
    - **`refuse-before-teardown`** (*sample*: what Microsoft's driver samples do): a callback
      that refuses does so before tearing anything down. Put that next to the rule above:
      a callback that refuses a *mandatory* unload returns without having called
      FltUnregisterFilter, and is unloaded all the same.
      {sources("refuse-before-teardown")}

    **Where the documentation is silent.** What the filter manager does with a minifilter
    whose callback let the unload go on without calling FltUnregisterFilter is not
    documented (`silent-no-unregister`): treat it as a driver bug. What `sc stop` prints on
    success is not covered by the lab's sources either (`silent-sc-output`).
    {sources("silent-no-unregister")}

    The same statements, straight from the lab's rules catalogue:
    """),
    code("""
    for rid in ("mandatory-triggers", "mandatory-flag", "mandatory-ignores-refusal"):
        print(f"{rid} [{rule(rid).kind.value}]: {rule(rid).statement}")
    """),
    md("""
    ## `sc stop`, and a callback that refuses

    The callback from lesson 02, which always returns STATUS_FLT_DO_NOT_DETACH. This time
    an administrator types `sc stop SampleFilter`.
    """),
    code("""
    trace = example("sc-stop-refusal-ignored").run()
    print(format_trace(trace))
    """),
    md("""
    Steps 6 to 8 are the path of a service stop: the service control manager, then the I/O
    manager, then DriverUnload, which belongs to the filter manager. Step 9 passes
    `Flags=FLTFL_FILTER_UNLOAD_MANDATORY`. Steps 10 and 11: the refusal is ignored.
    Step 12 is where the documentation runs out: the callback refused before calling
    FltUnregisterFilter, so its instances were never torn down by it, and nobody documents
    what happens next. Step 15: `sc stop` reports success.
    """),
    code("""
    assert trace["callback_flags"] == ["FLTFL_FILTER_UNLOAD_MANDATORY"]  # the callback was told
    assert trace["callback_returned"] == "STATUS_FLT_DO_NOT_DETACH"      # it said no
    assert trace["unloaded"] is True                                     # unloaded anyway
    assert "silent-no-unregister" in trace.rules                         # skipping cleanup: undocumented
    """),
    md("""
    ## Check the flag first

    The fix is to refuse only what may be refused. The callback tests the flag before it
    does anything else (the lab's **C code** tab writes the same):

    ```c
    static NTSTATUS Unload(FLT_FILTER_UNLOAD_FLAGS Flags)
    {
        if (!FlagOn(Flags, FLTFL_FILTER_UNLOAD_MANDATORY)) {
            return STATUS_FLT_DO_NOT_DETACH;   /* a veto only where a veto counts */
        }
        FltUnregisterFilter(gFilter);          /* mandatory: tear down fully */
        /* then free what DriverEntry allocated */
        return STATUS_SUCCESS;
    }
    ```

    In the lab this callback is the knob `refuse_only_if_not_mandatory=True`. The same
    callback, asked twice:
    """),
    code("""
    for name in ("conditional-refusal-non-mandatory", "conditional-refusal-mandatory"):
        t = example(name).run()
        print(f"{t['trigger']:13} callback returned {t['callback_returned']:25} outcome: {t.outcome.value}")
    """),
    code("""
    clean = example("conditional-refusal-mandatory").run()
    assert clean["instances_torn_down"] == 1            # FltUnregisterFilter tore the instance down
    assert "silent-no-unregister" not in clean.rules    # nothing undocumented happened
    """),
    md("""
    ## This lesson's scenarios at a glance

    Each row is a named scenario from the catalogue, its outcome, and the rule that
    decides it. `example(name).run()` replays any of them.
    """),
    code("""
    print(format_lesson("03-mandatory"))
    """),
    md("""
    `sc-stop-success`, `net-stop-success` and `controlservice-success` are the three faces
    of one request: the same path through the service control manager, the same flag,
    the same outcome.
    """),
    md("""
    ## Try it

    Three knobs: who asks, what the callback returns, and whether it refuses only when the
    unload is not mandatory. The **Sequence diagram** tab marks the ignored refusal; the
    **C code** tab shows the callback with and without the flag test.
    """),
    code("""
    panel = Panel("minifilter", show=("trigger", "callback_returns", "refuse_only_if_not_mandatory"),
                  trigger="sc-stop", callback_returns="STATUS_FLT_DO_NOT_DETACH")
    """),
    code("""
    panel
    """),
    md("""
    The same controls, driven from code (the panel above changes too). The same refusing
    callback, asked by `fltmc unload`:
    """),
    code("""
    panel.set(trigger="fltmc-unload")
    print(panel.outcome_text)
    """),
    md("""
    And an application's ControlService, against the callback that tests the flag first:
    """),
    code("""
    panel.set(trigger="ControlService", refuse_only_if_not_mandatory=True)
    print(panel.outcome_text)
    """),
    md("""
    ## Predict, then check

    A mandatory unload always goes ahead, so far. This minifilter's callback is registered
    and returns STATUS_SUCCESS, but its FLT_REGISTRATION.Flags contains
    FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP. An administrator types
    `sc stop SampleFilter`. What happens? Decide before you look.
    """),
    code("""
    Quiz("opt-out-sc-stop", "Flags has DO_NOT_SUPPORT_SERVICE_STOP. The request is sc stop. What happens?")
    """),
    md("""
    Or in code: put your answer in `my_prediction` and run the cell.
    """),
    code("""
    my_prediction = None   # one of: unloaded, refused, failed, hung, shutdown, driver-entry-failed, hazard
    print(check_prediction("opt-out-sc-stop", my_prediction))
    """),
    md("""
    In a terminal the same scenarios run with
    `python -m unloadlab scenarios sc-stop-refusal-ignored`, or with your own knobs:
    `python -m unloadlab minifilter --trigger net-stop --callback-returns STATUS_FLT_DO_NOT_DETACH --refuse-only-if-not-mandatory`.
    """),
    md("""
    ## What to remember

    1. `sc stop`, `net stop` and ControlService(SERVICE_CONTROL_STOP) are mandatory: Flags carries FLTFL_FILTER_UNLOAD_MANDATORY.
    2. A mandatory unload happens whatever the callback returns; refusing only skips your own cleanup, and what follows is undocumented.
    3. Refuse conditionally: test FLTFL_FILTER_UNLOAD_MANDATORY first, and tear down fully when it is set.
    """),
    md(NAV),
]

write("03-mandatory.ipynb", cells)
