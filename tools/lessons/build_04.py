"""Build notebooks/04-service-stop-opt-out.ipynb (sources only; run tools/run_notebooks.py after)."""
from _lessons import code, md, nav, sources, write

NAV = nav(("03-mandatory.ipynb", "03 · Mandatory unloads"),
          ("05-driver-entry-fails.ipynb", "05 · When DriverEntry fails"))

cells = [
    md(f"""
    # 04 · Opting out of service stop

    {NAV}

    **What you will learn** (about 12 minutes)

    - The one registration flag that changes unloading:
      FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP.
    - With it, every service stop fails (`sc stop` reports error 1052), and the
      FilterUnloadCallback is not even called.
    - Non-mandatory requests (`fltmc unload`, FilterUnload, FltUnloadFilter) still work as
      in lesson 02, veto included.
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

    - **`do-not-support-service-stop`**: DriverEntry sets
      FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP in the `Flags` member of
      FLT_REGISTRATION. From then on mandatory unload requests, that is service stops, fail;
      non-mandatory ones are handled as usual.
      {sources("do-not-support-service-stop")}
    - **`failed-request-no-callback`**: for a request that fails like this the filter
      manager does not call the FilterUnloadCallback. The minifilter never hears of it.
      {sources("failed-request-no-callback")}
    - **`fltmgr-owns-driverunload`** (*mechanism*: read from ReactOS, not from Microsoft's
      documentation) and **`null-driverunload`**: how it fails. With the flag set,
      FltRegisterFilter leaves DriverObject->DriverUnload NULL, and the kernel refuses to
      unload a driver that has no DriverUnload (STATUS_INVALID_DEVICE_REQUEST). It is the
      same mechanism as a missing callback in lesson 01.
      {sources("fltmgr-owns-driverunload", "null-driverunload")}
    - **`sc-stop-1052`** (*field-observed*): `sc stop` then reports
      `[SC] ControlService FAILED 1052` (ERROR_INVALID_SERVICE_CONTROL). Microsoft's pages
      say the request fails, not with which error; 1052 is what Windows is seen to report.
      What `net stop` prints is not documented at all.
      {sources("sc-stop-1052")}

    Why would a driver want this? The documentation does not say. One reading: a product
    that wants to be unloaded only through a request its callback can still refuse.

    The same statements, straight from the lab's rules catalogue:
    """),
    code("""
    for rid in ("do-not-support-service-stop", "failed-request-no-callback", "sc-stop-1052"):
        print(f"{rid} [{rule(rid).kind.value}]: {rule(rid).statement}")
    """),
    md("""
    ## `sc stop` on a minifilter that opted out

    DriverEntry registers a FilterUnloadCallback and sets the flag. Later an administrator
    types `sc stop SampleFilter`. Read the steps: who is called, and who is *not*.
    """),
    code("""
    trace = example("opt-out-sc-stop").run()
    print(format_trace(trace))
    """),
    md("""
    Step 2 registers the flag, and step 3 is its effect: no DriverUnload. Steps 6 and 7 are
    the service stop, as in lesson 03, but in step 8 the kernel refuses, and in step 9 the
    service control manager reports 1052. After DriverEntry nothing reaches the minifilter.
    """),
    code("""
    assert trace["callback_called"] is False                          # the minifilter never heard of it
    assert trace["unloaded"] is False                                 # still loaded
    assert trace["printed"][0] == "[SC] ControlService FAILED 1052:"  # what sc prints (observed)
    """),
    md("""
    An application calling ControlService sees the same failure in its own form:
    """),
    code("""
    print(example("opt-out-controlservice").run()["requester_got"])
    """),
    md("""
    ## `fltmc unload` still works

    The flag closes the service-stop path only. A non-mandatory request goes through the
    filter manager as in lesson 02:
    """),
    code("""
    fltmc = example("opt-out-fltmc").run()
    print(fltmc.headline)
    assert fltmc["callback_called"] and fltmc["unloaded"]   # non-mandatory: business as usual
    """),
    md("""
    ## This lesson's scenarios at a glance

    Each row is a named scenario from the catalogue, its outcome, and the rule that
    decides it. `example(name).run()` replays any of them.
    """),
    code("""
    print(format_lesson("04-service-stop-opt-out"))
    """),
    md("""
    ## Try it

    Two knobs: who asks, and the FLT_REGISTRATION flags. Tick and untick
    DO_NOT_SUPPORT_SERVICE_STOP with each trigger; the other flags change nothing here
    (lesson 01). The **C code** tab shows the flag in the registration.
    """),
    code("""
    panel = Panel("minifilter", show=("trigger", "flags"),
                  trigger="sc-stop", flags=["FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP"])
    """),
    code("""
    panel
    """),
    md("""
    The same controls, driven from code (the panel above changes too). `net stop` fails the
    same way:
    """),
    code("""
    panel.set(trigger="net-stop")
    print(panel.outcome_text)
    """),
    md("""
    Clear the flag, and the same `net stop` unloads the minifilter:
    """),
    code("""
    panel.set(flags=[])
    print(panel.outcome_text)
    """),
    md("""
    ## Predict, then check

    Another minifilter does *not* set the flag. Instead, it registers no
    FilterUnloadCallback at all. An administrator types `sc stop SampleFilter`, a
    mandatory unload. What happens? Decide before you look.
    """),
    code("""
    Quiz("no-callback-sc-stop", "No FilterUnloadCallback, no opt-out flag. The request is sc stop. What happens?")
    """),
    md("""
    Or in code: put your answer in `my_prediction` and run the cell.
    """),
    code("""
    my_prediction = None   # one of: unloaded, refused, failed, hung, shutdown, driver-entry-failed, hazard
    print(check_prediction("no-callback-sc-stop", my_prediction))
    """),
    md("""
    In a terminal the same scenarios run with `python -m unloadlab scenarios opt-out-sc-stop`,
    or with your own knobs:
    `python -m unloadlab minifilter --trigger ControlService --flags DO_NOT_SUPPORT_SERVICE_STOP`.
    """),
    md("""
    ## What to remember

    1. FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP makes every service stop fail (`sc stop`: 1052, observed), and the callback is not called.
    2. Non-mandatory requests are untouched: `fltmc unload`, FilterUnload and FltUnloadFilter still reach the callback, which may still refuse.
    3. A service stop fails the same way without a callback (DriverUnload is NULL), but with the flag the driver can still be unloaded.
    """),
    md(NAV),
]

write("04-service-stop-opt-out.ipynb", cells)
