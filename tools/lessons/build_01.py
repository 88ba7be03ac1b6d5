"""Build notebooks/01-register-callback.ipynb (sources only; run tools/run_notebooks.py after)."""
from _lessons import code, md, nav, sources, write

NAV = nav(("00-start-here.ipynb", "00 · Start here"), ("02-non-mandatory.ipynb", "02 · Non-mandatory unloads"))

cells = [
    md(f"""
    # 01 · Register a FilterUnloadCallback

    {NAV}

    **What you will learn** (about 12 minutes)

    - Registering a FilterUnloadCallback is optional, but a minifilter without one can
      never be unloaded: every request fails, and nothing of the driver runs.
    - Where the registration happens: the `FilterUnloadCallback` member of
      FLT_REGISTRATION, which DriverEntry passes to FltRegisterFilter.
    - Why a service stop fails too, and what the documentation does not say about
      the failure.
    """),
    code("""
    %matplotlib inline
    from unloadlab.exercises import check_prediction
    from unloadlab.catalogue import rule
    from unloadlab.catalogue import example, format_lesson
    from unloadlab.windows import Outcome
    from unloadlab.views.text import format_trace
    from unloadlab.exercises.widgets import Quiz
from unloadlab.views.widgets import Panel
    """),
    md(f"""
    ## The rules, in our words

    - **`callback-optional`**: FltRegisterFilter does not insist on an unload routine. A
      minifilter without one loads and filters like any other.
      {sources("callback-optional")}
    - **`no-callback-no-unload`**: but then there is no way back. With no
      FilterUnloadCallback, no request can unload the minifilter: FilterUnload,
      FltUnloadFilter, `fltmc unload` and a service stop all fail. That is why Microsoft
      strongly recommends registering one.
      {sources("no-callback-no-unload")}
    - **`callback-in-registration`**: the routine is registered by its address. DriverEntry
      puts it in the `FilterUnloadCallback` member of an FLT_REGISTRATION structure and
      hands that structure to FltRegisterFilter.
      {sources("callback-in-registration")}
    - **`fltmgr-owns-driverunload`** (*mechanism*: read from ReactOS's re-implementation of
      the filter manager, not from Microsoft's documentation): FltRegisterFilter makes the
      filter manager's routine the driver's DriverUnload only when a FilterUnloadCallback is
      registered. Without one, DriverUnload stays NULL, and the kernel will not unload a
      driver that has none. That is how a service stop fails too.
      {sources("fltmgr-owns-driverunload")}

    **Where the documentation is silent.** It says that FilterUnload and FltUnloadFilter
    fail for such a minifilter, not with which status (`silent-no-callback-status`), so the
    trace shows "(HRESULT not documented)" instead of inventing a value. The error 1052 that
    `sc stop` reports is observed on Windows, not documented (`sc-stop-1052`, *field-observed*).
    {sources("silent-no-callback-status", "sc-stop-1052")}

    The same statements, straight from the lab's rules catalogue:
    """),
    code("""
    for rid in ("callback-optional", "no-callback-no-unload", "callback-in-registration"):
        print(f"{rid} [{rule(rid).kind.value}]: {rule(rid).statement}")
    """),
    md("""
    ## A minifilter without a FilterUnloadCallback

    DriverEntry registers with the filter manager but leaves `FilterUnloadCallback` NULL.
    Later an application calls `FilterUnload(L"SampleFilter")`. Read the steps: who is
    called, and who is *not*.
    """),
    code("""
    trace = example("no-callback-filterunload").run()
    print(format_trace(trace))
    """),
    md("""
    Step 2 registers `FilterUnloadCallback=NULL`, and step 3 is the consequence: the driver
    gets no DriverUnload routine. Steps 6 to 8 are the request: the filter manager finds the
    filter, has nothing to call, and fails. What the application gets back is not documented, and
    the trace says so instead of guessing.
    """),
    code("""
    assert trace["callback_called"] is False   # the filter manager had nothing to call
    assert trace["unloaded"] is False          # so SampleFilter stays loaded
    assert trace.outcome is Outcome.FAILED     # and the request itself failed
    """),
    md("""
    ## The same minifilter, with the pointer filled in
    """),
    code("""
    good = example("filterunload-success").run()
    print(good.headline)
    assert good["callback_called"] and good["unloaded"]   # told first, then unloaded
    """),
    md("""
    In C that pointer is one member of the FLT_REGISTRATION initialiser. A sketch in the
    shape the panel's **C code** tab uses (open it below to see the whole driver):

    ```c
    CONST FLT_REGISTRATION FilterRegistration = {
        sizeof(FLT_REGISTRATION),
        FLT_REGISTRATION_VERSION,
        0,          /* Flags */
        NULL,       /* ContextRegistration */
        Callbacks,  /* OperationRegistration */
        Unload,     /* FilterUnloadCallback: NULL here, and nothing can unload the driver */
        /* ... the instance callbacks ... */
    };

    NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
    {
        ...
        status = FltRegisterFilter(DriverObject, &FilterRegistration, &gFilter);
        ...
    }
    ```
    """),
    md("""
    ## This lesson's scenarios at a glance

    Each row is a named scenario from the catalogue, its outcome, and the rule that
    decides it. `example(name).run()` replays any of them.
    """),
    code("""
    print(format_lesson("01-register-callback"))
    """),
    md("""
    `no-callback-sc-stop`: a service stop fails as well, before the filter manager is even
    involved, because there is no DriverUnload to call. `other-flags-no-effect`:
    FLT_REGISTRATION also has a `Flags` member; SUPPORT_NPFS_MSFS and its siblings choose
    which volumes the minifilter may attach to and do not change unloading. One flag does:
    that is lesson 04.
    """),
    md("""
    ## Try it

    Two knobs: whether a FilterUnloadCallback is registered, and who asks for the unload.
    Untick the box, then try each trigger. The **C code** tab shows the FLT_REGISTRATION
    each choice stands for; the **Rules** tab lists every rule the trace cites.
    """),
    code("""
    panel = Panel("minifilter", show=("unload_callback", "trigger"), trigger="FilterUnload")
    """),
    code("""
    panel
    """),
    md("""
    The same controls, driven from code (the panel above changes too):
    """),
    code("""
    panel.set(unload_callback=False)
    print(panel.outcome_text)
    """),
    code("""
    panel.set(trigger="fltmc-unload")
    print(panel.outcome_text)
    """),
    md("""
    ## Predict, then check

    This minifilter does everything this lesson asks: its FilterUnloadCallback is
    registered. It also registers a pre-operation callback for IRP_MJ_SHUTDOWN. Now
    Windows shuts down. Is the FilterUnloadCallback called, and what is the outcome?
    Decide before you look.
    """),
    code("""
    Quiz("shutdown-with-preop", "FilterUnloadCallback is registered. The system shuts down. What happens?")
    """),
    md("""
    Or in code: put your answer in `my_prediction` and run the cell.
    """),
    code("""
    my_prediction = None   # one of: unloaded, refused, failed, hung, shutdown, driver-entry-failed, hazard
    print(check_prediction("shutdown-with-preop", my_prediction))
    """),
    md("""
    In a terminal the same scenarios run with
    `python -m unloadlab scenarios no-callback-sc-stop`, or with your own knobs:
    `python -m unloadlab minifilter --trigger sc-stop --no-unload-callback`.
    """),
    md("""
    ## What to remember

    1. No FilterUnloadCallback, no unload: every request fails, and nothing of your driver runs.
    2. Register it in DriverEntry: its address goes in FLT_REGISTRATION.FilterUnloadCallback, passed to FltRegisterFilter.
    3. The documentation says such requests fail, not with which status; the trace marks that as silent.
    """),
    md(NAV),
]

write("01-register-callback.ipynb", cells)
