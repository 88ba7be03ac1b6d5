"""Build notebooks/08-wfp-callout.ipynb (sources only; run tools/run_notebooks.py after)."""
from textwrap import dedent

from _lessons import code, md, write

NET = "https://learn.microsoft.com/windows-hardware/drivers/network/"
FWPSK = "https://learn.microsoft.com/windows-hardware/drivers/ddi/fwpsk/"
SPECIFY = NET + "specifying-an-unload-function"
UNLOADING = NET + "unloading-a-callout-driver"
UNREGISTER = FWPSK + "nf-fwpsk-fwpscalloutunregisterbyid0"
REMOVE = FWPSK + "nf-fwpsk-fwpsflowremovecontext0"
KMDF_SRC = ("https://github.com/microsoft/Windows-Driver-Frameworks/blob/main/"
            "src/framework/shared/core/fxdriver.cpp")
SAMPLES = "https://github.com/microsoft/Windows-driver-samples/blob/main/network/trans/"
FACTS = "../docs/domain-facts.md"

NAV = """
[← 07 · Inside the unload routine](07-unload-routine.ipynb) |
[Start here](00-start-here.ipynb) |
[09 · Playground →](09-playground.ipynb)
"""

cells = [
    md("# 08 · WFP callout drivers\n" + NAV + dedent("""
    **What you will learn** (about 15 minutes)

    - A Windows Filtering Platform callout driver must supply an **unload function**, and
      that function must **unregister every callout** before the image leaves memory.
      Without an unload function the driver cannot be unloaded at all.
    - How it names that function: WDM stores it in `DriverObject->DriverUnload`; KMDF
      declares the driver non-PnP (`WdfDriverInitNonPnpDriver`) and sets `EvtDriverUnload`.
    - Why the first unregister can fail: flows that still carry a context make it return
      STATUS_DEVICE_BUSY, which is a **warning** (0x80000011). Code that tests `NT_ERROR`
      misses it.
    - Two ways out: remove the flow contexts first (what the samples do), or remove them
      when STATUS_DEVICE_BUSY comes back and unregister again (what the documentation says).
    - What happens when the image goes while callouts are still registered, and what the
      documentation does not say about it.
    """)),
    code("""
    %matplotlib inline
    from unloadlab.callout import CalloutScenario, simulate
    from unloadlab.views.code import driver_c
    from unloadlab.exercises import check_prediction
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

    - **`wfp-unload-required`**, **`wfp-no-unload-function`**: every callout driver needs
      an unload function; one without it can never be unloaded.
      ([Specifying an Unload Function]({SPECIFY}))
    - **`wfp-wdm-driverunload`**: a WDM callout driver sets `DriverObject->DriverUnload` in
      DriverEntry. **`wfp-wdf-evtdriverunload`**, **`wfp-wdf-nonpnp`**: a KMDF callout
      driver puts `EvtDriverUnload` and `WdfDriverInitNonPnpDriver` in the
      `WDF_DRIVER_CONFIG` it passes to WdfDriverCreate.
      ([Specifying an Unload Function]({SPECIFY}))
    - **`callout-kmdf-nonpnp-needs-evt`** (*mechanism*, read in KMDF's source, not stated
      on a documentation page): for a non-PnP driver, KMDF installs its own DriverUnload only
      when EvtDriverUnload is given; otherwise DriverUnload stays NULL, which is why such a
      driver cannot be stopped. ([fxdriver.cpp]({KMDF_SRC}))
    - **`wfp-unload-must-unregister`**, **`wfp-unregister-by-id`**: the unload function must
      not return until every callout is unregistered (FwpsCalloutUnregisterById0 or
      ...ByKey0). ([Unloading a Callout Driver]({UNLOADING}))
    - **`wfp-unregister-busy`**, **`wfp-device-busy-is-warning`**: while flows the callout
      handled still carry a context, the unregister returns STATUS_DEVICE_BUSY. That status
      is a warning: `NT_SUCCESS` is false for it, and so is `NT_ERROR`.
      ([FwpsCalloutUnregisterById0]({UNREGISTER}))
    - **`wfp-busy-recovery`**: the documented way out is FwpsFlowRemoveContext0 on each such
      flow, then unregister again. **`wfp-sample-remove-contexts-first`** (*sample*): the
      ddproxy and msnmntr samples remove every context *before* unregistering, so the busy
      status never comes up. ([Unloading a Callout Driver]({UNLOADING}),
      [FwpsFlowRemoveContext0]({REMOVE}), [ddproxy]({SAMPLES}ddproxy/sys/DD_drv.c))
    - **`wfp-silent-registered-at-unload`** (*documentation silent*): if the image goes with
      callouts still registered, no page says whether the kernel holds the unload back or
      which crash follows when the engine next calls into the driver. The lab marks it as a
      hazard and says no more. ([Unloading a Callout Driver]({UNLOADING}))
    """),
    code("""
    for rid in ("wfp-unload-required", "wfp-no-unload-function", "wfp-device-busy-is-warning",
                "wfp-silent-registered-at-unload"):
        print(f"{rid} [{rule(rid).kind.value}]: {rule(rid).statement}")
    """),
    md("""
    ## Naming the unload function: WDM and KMDF

    The lines of the generated DriverEntry that do it, for each model:
    """),
    code("""
    for name in ("wfp-wdm-clean-unload", "wfp-wdf-clean-unload"):
        lines = [line.strip() for line in driver_c(example(name).scenario()).splitlines() if "rule wfp-wd" in line]
        print(name, *lines, sep="\\n    ")
    """),
    md("""
    And what `sc stop` gets, with and without an unload function:
    """),
    code("""
    for model in ("wdm", "wdf"):
        for named in (True, False):
            t = simulate(CalloutScenario(model=model, unload_function=named))
            print(f"{model}  unload function: {named!s:5}  -> {t.outcome.value}; {t['requester_got']}")
    """),
    md("""
    Without an unload function DriverUnload is NULL, so the kernel refuses the request
    before any code of the driver runs. The number 1052 is what `sc` is seen to print on
    real machines; it is observed, not documented (rule `sc-stop-1052`). A KMDF driver
    *without* `WdfDriverInitNonPnpDriver` is a PnP driver, and a service stop cannot unload
    that either (scenario `wfp-wdf-pnp-sc-stop`; try "KMDF PnP" in the panel below). Such a
    driver has a device, and so registers its callouts, only once the PnP manager adds the
    device, in EvtDriverDeviceAdd; no page says where a PnP callout driver should register,
    and the trace says so (rule `callout-silent-pnp-registration`).

    ## A clean unload, step by step

    A WDM callout driver with two callouts and no flow contexts, stopped with `sc stop`:
    """),
    code("""
    trace = example("wfp-wdm-clean-unload").run()
    print(format_trace(trace, with_rules=False))
    """),
    code("""
    assert trace.outcome is Outcome.UNLOADED                                # the image went...
    assert trace["callouts_registered"] == 0                                # ...with no callout left behind
    assert trace["unregister_results"] == ["STATUS_SUCCESS", "STATUS_SUCCESS"]  # one unregister per callout
    """),
    md("""
    Step 10 is the point of no return: DriverUnload returns `VOID`, so once the I/O manager
    calls it, the driver cannot refuse. Everything that keeps the unload safe has to happen
    inside it, before it returns.

    ## Flows with a context: STATUS_DEVICE_BUSY is a warning
    """),
    code("""
    busy = parse_status("STATUS_DEVICE_BUSY")
    print(busy.describe(), "| NT_SUCCESS:", busy.nt_success)
    """),
    md("""
    Its top two bits are `10`: a warning. `NT_ERROR(status)` is true only for `11`, so a
    driver that writes `if (NT_ERROR(status))` after the unregister sees nothing wrong; only
    `if (!NT_SUCCESS(status))` catches it. A driver that ignores the result altogether, as
    the inspect sample does, is in the same place. Here two flows hold a context and the
    results are ignored; the steps that carry a mark:
    """),
    code("""
    hazard = example("wfp-ignore-busy-result").run()
    for s in hazard.steps:
        if s.mark:
            print(f"{s.mark.value.upper():22} {s.action}")
    """),
    code("""
    assert hazard.outcome is Outcome.HAZARD                  # the image went anyway (DriverUnload cannot refuse)
    assert hazard["callouts_registered"] == 2                # with both callouts still registered
    assert hazard["requester_got"].startswith("success")     # and sc stop reported success
    """),
    md("""
    The last step is the honest part: the documentation says a callout driver must not be
    unloaded while its callouts are registered, but not what happens if it is. The danger is
    plain (the engine would next call a `classifyFn` or `flowDeleteFn` that is no longer in
    memory), but whether the kernel holds the unload back, or which bug check follows and
    when, is not documented, so the lab does not name one.

    ## Two ways out
    """),
    code("""
    for name in ("wfp-flows-removed-first", "wfp-flows-busy-doc-retry"):
        t = example(name).run()
        print(f"{name:25} unregister results: {t['unregister_results']}")
    """),
    md("""
    Removing contexts first (the samples) never sees STATUS_DEVICE_BUSY; the documented
    recovery sees it once per busy callout, removes that callout's contexts, and tries again.
    Both end with every callout unregistered. The documented recovery in C:
    """),
    code("""
    c = driver_c(example("wfp-flows-busy-doc-retry").scenario())
    print(c[c.index("VOID Unload("):c.index("NTSTATUS DriverEntry")].rstrip())
    """),
    md(f"""
    One more place where the documentation stops: if FwpsFlowRemoveContext0 returns
    STATUS_PENDING (a classify is in progress, so `flowDeleteFn` runs later), what the
    second unregister returns is not documented (rule `wfp-silent-pending-unregister`,
    [domain-facts, open question 10]({FACTS})). The lab carries on as if it worked and marks
    that step DOCUMENTATION SILENT:
    """),
    code("""
    pending = example("wfp-pending-removal").run()
    print(pending["unregister_results"])
    """),
    md("""
    ## This lesson's scenarios at a glance
    """),
    code("""
    print(format_lesson("08-wfp-callout"))
    """),
    md("""
    ## Try it

    Start from two flows with a context and an unload function that checks the result but
    does not recover. Then choose how flow contexts are handled, untick "Checks the
    unregister result", switch to KMDF, or take the unload function away. The **C code**
    tab shows the unload function each choice stands for.
    """),
    code("""
    panel = Panel("callout", show=("model", "unload_function", "check_unregister_result",
                                   "flows_with_context", "remove_flow_contexts"),
                  flows_with_context=2)
    """),
    code("""
    panel
    """),
    md("""
    The same controls, driven from code:
    """),
    code("""
    panel.set(remove_flow_contexts="on-device-busy")
    print(panel.outcome_text)
    """),
    code("""
    panel.set(model="wdf", unload_function=False)
    print(panel.outcome_text)
    """),
    md("""
    ## Predict, then check

    A WDM callout driver registered three callouts; one flow of the first callout still
    carries a context. Its Unload checks each unregister result with `NT_SUCCESS` and stops
    at the first failure, like the msnmntr sample's helper. `sc stop`: what happens?
    """),
    code("""
    Quiz("wfp-give-up-on-busy", "sc stop. What happens?")
    """),
    md("""
    Or in code:
    """),
    code("""
    my_prediction = None   # one of: unloaded, refused, failed, hung, shutdown, driver-entry-failed, hazard
    print(check_prediction("wfp-give-up-on-busy", my_prediction))
    """),
    md("""
    In a terminal: `python -m unloadlab scenarios wfp-give-up-on-busy`.
    """),
    md("""
    ## What to remember

    1. A callout driver needs an unload function (WDM: DriverObject->DriverUnload; KMDF: non-PnP + EvtDriverUnload), or it cannot be unloaded.
    2. The unload function must unregister every callout; STATUS_DEVICE_BUSY is a warning, so test with NT_SUCCESS, never NT_ERROR.
    3. Remove flow contexts first, or remove them and retry; an image that goes with callouts registered is a hazard the docs do not describe.
    """),
    md(NAV),
]

if __name__ == "__main__":
    write("08-wfp-callout.ipynb", cells)
