"""Build notebooks/05-driver-entry-fails.ipynb (sources only; run tools/run_notebooks.py after)."""
from _lessons import code, md, write

WHEN = "https://learn.microsoft.com/windows-hardware/drivers/ifs/when-the-filterunloadcallback-routine-is-called"
NTSTATUS = "https://learn.microsoft.com/windows-hardware/drivers/kernel/using-ntstatus-values"
FLTUNLOAD = "https://learn.microsoft.com/windows-hardware/drivers/ddi/fltkernel/nf-fltkernel-fltunloadfilter"
CONTROLSERVICE = "https://learn.microsoft.com/windows/win32/api/winsvc/nf-winsvc-controlservice"
PASSTHROUGH = ("https://github.com/microsoft/Windows-driver-samples/blob/main/"
               "filesys/miniFilter/passThrough/passThrough.c")

cells = [
    md("""
    # 05 · When DriverEntry fails

    [← 04 · Opting out of service stop](04-service-stop-opt-out.ipynb) |
    [Start here](00-start-here.ipynb) |
    [06 · Shutdown →](06-shutdown.ipynb)

    **What you will learn** (about 12 minutes)

    - A DriverEntry that returns a **warning** or an **error** status never gets its
      FilterUnloadCallback called: the image simply goes.
    - An **informational** status is not a failure: the minifilter loads, and unloads as usual.
    - What a later unload request gets back when there is nothing left to unload:
      `0x801F0013` from `fltmc unload`, STATUS_FLT_FILTER_NOT_FOUND from FltUnloadFilter,
      error 1062 (ERROR_SERVICE_NOT_ACTIVE) from `sc stop`.
    - Why a failing DriverEntry calls FltUnregisterFilter itself before it returns.
    """),
    code("""
    %matplotlib inline
    from unloadlab.exercises import check_prediction
    from unloadlab.minifilter import MinifilterScenario, simulate
    from unloadlab.windows import parse_status
    from unloadlab.catalogue import rule
    from unloadlab.catalogue import example, format_lesson
    from unloadlab.windows import Outcome
    from unloadlab.views.text import format_trace
    from unloadlab.exercises.widgets import Quiz
from unloadlab.views.widgets import Panel
    """),
    md(f"""
    ## The rules, in our words

    - **`driver-entry-failed`**: if DriverEntry returns a warning or an error, the load has
      failed. Nobody will ever call the FilterUnloadCallback for that load; the filter
      manager just unloads the image.
      ([When the FilterUnloadCallback Routine Is Called]({WHEN}))
    - **`ntstatus-severity`**: the top two bits of an NTSTATUS are its severity: success,
      informational, warning, error. `NT_SUCCESS` is true for the first two only, so an
      informational DriverEntry status is a successful load.
      ([Using NTSTATUS Values]({NTSTATUS}))
    - **`fltunloadfilter-lookup`** and **`service-not-active`**: a later request finds nothing.
      The filter manager has no filter by that name (STATUS_FLT_FILTER_NOT_FOUND), and the
      service control manager has no running service (ERROR_SERVICE_NOT_ACTIVE, 1062).
      ([FltUnloadFilter]({FLTUNLOAD}), [ControlService]({CONTROLSERVICE}))
    - **`driver-entry-pattern`** (what Microsoft's samples do, not an OS rule): DriverEntry
      calls FltRegisterFilter, then FltStartFiltering; if starting fails, it calls
      FltUnregisterFilter *before* returning the error. No unload routine will run to
      undo the registration later, so DriverEntry has to undo it now.
      ([passThrough sample]({PASSTHROUGH}))

    The same statements, straight from the lab's rules catalogue:
    """),
    code("""
    for rid in ("driver-entry-failed", "ntstatus-severity", "driver-entry-pattern"):
        print(f"{rid} [{rule(rid).kind.value}]: {rule(rid).statement}")
    """),
    md("""
    ## A failed DriverEntry, then `sc stop`

    DriverEntry registers the filter, then something else fails and it returns
    STATUS_UNSUCCESSFUL. Later an administrator types `sc stop SampleFilter`.
    Read the steps: who is called, and who is *not*.
    """),
    code("""
    trace = example("driver-entry-error-sc-stop").run()
    print(format_trace(trace))
    """),
    md("""
    Step 4 is the passThrough pattern: DriverEntry undoes its own registration. Step 6 is
    the documented rule: the image goes and FilterUnloadCallback is not called. The
    `sc stop` that follows never reaches the kernel: the service control manager knows the
    service is not running and answers 1062 itself.
    """),
    code("""
    assert trace.outcome is Outcome.DRIVER_ENTRY_FAILED  # the load failed; the image is gone
    assert not trace["callback_called"]                  # FilterUnloadCallback never ran
    assert "1062" in trace["requester_got"]              # sc stop: the service is not running
    """),
    md("""
    ## What every later request gets

    The same failed load, then five different requests to unload it. Each line is what
    that requester gets back.
    """),
    code("""
    for trigger in ("fltmc-unload", "FilterUnload", "FltUnloadFilter", "sc-stop", "ControlService"):
        later = simulate(MinifilterScenario(trigger, driver_entry_returns="STATUS_UNSUCCESSFUL"))
        print(f"{trigger:16} {later['requester_got']}")
    """),
    md("""
    `0x801F0013` is STATUS_FLT_FILTER_NOT_FOUND (`0xC01C0013`) as an HRESULT: a filter
    manager status keeps its severity bit and its code and takes facility `0x1F` in user
    mode (rule `flt-hresult`). `fltmc unload` prints that code; the lab does not carry
    the message text Windows prints under it, so its panel shows a placeholder there.
    `net stop` and system shutdown are left out above: the lab does not know `net`'s exact
    wording, and a driver that is gone gets no shutdown request.
    """),
    md("""
    ## Severity decides, not the name

    STATUS_DEVICE_BUSY sounds harmless but is a *warning*; STATUS_OBJECT_NAME_EXISTS
    sounds like a problem but is *informational*. Only the top two bits count:
    """),
    code("""
    for name in ("STATUS_SUCCESS", "STATUS_OBJECT_NAME_EXISTS", "STATUS_DEVICE_BUSY", "STATUS_UNSUCCESSFUL"):
        st = parse_status(name)
        print(f"{st.describe():55} NT_SUCCESS: {st.nt_success}")
    """),
    code("""
    loaded = example("driver-entry-informational").run()
    assert loaded.outcome is Outcome.UNLOADED  # an informational DriverEntry status loaded the driver,
    assert loaded["callback_called"]           # so a later FltUnloadFilter reaches the callback as usual
    """),
    md("""
    ## This lesson's scenarios at a glance

    Each row is a named scenario from the catalogue, its outcome, and the rule that
    decides it. `example(name).run()` replays any of them.
    """),
    code("""
    print(format_lesson("05-driver-entry-fails"))
    """),
    md("""
    ## Try it

    Two knobs: what DriverEntry returns, and who asks for the unload afterwards. Try a
    warning (STATUS_DEVICE_BUSY), then an informational status, then `fltmc unload`.
    The **C code** tab shows the DriverEntry each choice stands for; the **Rules** tab
    lists every rule the trace cites.
    """),
    code("""
    panel = Panel("minifilter", show=("driver_entry_returns", "trigger"),
                  driver_entry_returns="STATUS_UNSUCCESSFUL", trigger="sc-stop")
    """),
    code("""
    panel
    """),
    md("""
    The same controls, driven from code (the panel above changes too):
    """),
    code("""
    panel.set(driver_entry_returns="STATUS_OBJECT_NAME_EXISTS")
    print(panel.outcome_text)
    """),
    code("""
    panel.set(driver_entry_returns="STATUS_UNSUCCESSFUL", trigger="fltmc-unload")
    print(panel.outcome_text)
    """),
    md("""
    ## Predict, then check

    DriverEntry returns STATUS_DEVICE_BUSY. Later another driver calls FltUnloadFilter on
    the minifilter. Does the minifilter's FilterUnloadCallback run? What is the outcome?
    Decide before you look.
    """),
    code("""
    Quiz("driver-entry-warning", "DriverEntry returned STATUS_DEVICE_BUSY. What happens?")
    """),
    md("""
    Or in code: put your answer in `my_prediction` and run the cell.
    """),
    code("""
    my_prediction = None   # one of: unloaded, refused, failed, hung, shutdown, driver-entry-failed, hazard
    print(check_prediction("driver-entry-warning", my_prediction))
    """),
    md("""
    In a terminal the same scenarios run with
    `python -m unloadlab scenarios driver-entry-warning`, or with your own knobs:
    `python -m unloadlab minifilter --trigger sc-stop --driver-entry-returns STATUS_DEVICE_BUSY`.
    """),
    md("""
    ## What to remember

    1. DriverEntry returning a warning or an error means no FilterUnloadCallback, ever: the image just goes.
    2. Severity is the top two bits: an informational status still loads; STATUS_DEVICE_BUSY is a warning and fails.
    3. A failing DriverEntry undoes its own FltRegisterFilter; afterwards requests get 0x801F0013 or 1062.
    """),
    md("""
    [← 04 · Opting out of service stop](04-service-stop-opt-out.ipynb) |
    [Start here](00-start-here.ipynb) |
    [06 · Shutdown →](06-shutdown.ipynb)
    """),
]

if __name__ == "__main__":
    write("05-driver-entry-fails.ipynb", cells)
