"""Build notebooks/09-playground.ipynb (sources only; run tools/run_notebooks.py after)."""
from textwrap import dedent

from _lessons import code, md, write

NAV = """
[← 08 · WFP callout drivers](08-wfp-callout.ipynb) |
[Start here](00-start-here.ipynb) |
[10 · Practice →](10-practice.ipynb)
"""

cells = [
    md("# 09 · Playground\n" + NAV + dedent("""
    **What you will find here** (as long as you like)

    - A minifilter panel with **every** knob the lab has, so you can combine what the
      lessons showed one at a time.
    - The **decision grid**: every trigger against every kind of callback answer, in one
      picture, and how to read it.
    - A WFP callout driver panel with every knob of the callout model.

    No new rules here: every outcome comes from the same model and cites the same rules as
    the lessons. When a result surprises you, the **Rules** tab says which rule decided it,
    and the lesson named below explains that rule.
    """)),
    code("""
    %matplotlib inline
    from unloadlab.views.plots import decision_grid
    from unloadlab.catalogue import example
    from unloadlab.views.widgets import Panel
    """),
    md("""
    ## Every minifilter knob

    | control | what it stands for in the driver | lesson |
    |---|---|---|
    | Trigger | who asks: FilterUnload, FltUnloadFilter, `fltmc unload`, `sc stop`, `net stop`, ControlService, or shutdown | 02, 03, 06 |
    | FilterUnloadCallback registered | `FLT_REGISTRATION.FilterUnloadCallback` set or NULL | 01 |
    | Callback returns | the NTSTATUS the callback returns (pick *other (hex)* to type any value) | 02, 03 |
    | Refuse only if not mandatory | the callback tests `FLTFL_FILTER_UNLOAD_MANDATORY` before refusing | 03 |
    | FLT_REGISTRATION.Flags | `DO_NOT_SUPPORT_SERVICE_STOP` and the flags that only choose volumes | 04 |
    | DriverEntry returns | what DriverEntry returns after registering | 05 |
    | IRP_MJ_SHUTDOWN pre-operation | a shutdown pre-operation in the operation registration | 06 |
    | Instances | how many volumes the filter is attached to | 07 |
    | Instance teardown callbacks | InstanceTeardownStart/Complete registered or NULL | 07 |
    | Pended I/O never completed | an instance keeps a pended operation through teardown | 07 |
    | Server port | no port, a port closed before FltUnregisterFilter, or one left open | 07 |
    | Calls FltUnregisterFilter | whether the unload routine unregisters at all | 07 |
    | Caller holds SeLoadDriverPrivilege | the privilege FilterUnload needs | 02 |
    """),
    code("""
    panel = Panel("minifilter")
    """),
    code("""
    panel
    """),
    md("""
    Driven from code: a service stop of a filter attached to three volumes whose unload
    routine leaves its server port open.
    """),
    code("""
    panel.set(trigger="sc-stop", instances=3, server_port="left-open")
    print(panel.outcome_text)
    """),
    md("""
    Any named scenario from the lessons can be opened with every control shown:
    `Panel("minifilter", **example("conditional-refusal-non-mandatory").knobs)`.
    `python -m unloadlab scenarios` lists the names.
    """),
    code("""
    start_from = example("conditional-refusal-non-mandatory")
    print(start_from.title, "->", start_from.knobs)
    """),
    md("""
    ## The decision grid
    """),
    code("""
    decision_grid()
    """),
    md("""
    **How to read it.** Each row is one trigger, each column one thing the
    FilterUnloadCallback does (no callback at all, or return a success, informational,
    warning or error status, or refuse only when the unload is not mandatory), and each
    cell is the outcome `minifilter.simulate` gives for that pair, in words; the colour
    repeats the word. The top half is a filter without
    FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP, the bottom half one with it; every
    other knob is at its default. Read across a row to see that only the severity class
    matters, never the particular status; read down a column to see the line between
    non-mandatory requests (a warning or error refuses) and service stops (it is
    ignored); compare the halves to see that the opt-out flag changes only the service-stop
    rows, and shutdown never calls the callback at all. One caution: a cell says only how
    the request ends. For a service stop whose callback returned an error without
    unregistering, the lab draws "unloaded", but how the filter manager then tears the
    filter down is not documented: the panel's trace marks that step DOCUMENTATION SILENT
    (lesson 03). `decision_grid(driver_entry_returns="STATUS_UNSUCCESSFUL")` redraws the
    grid with any other knob changed.
    """),
    md("""
    ## Every callout-driver knob (lesson 08)

    | control | what it stands for in the driver |
    |---|---|
    | Driver model | WDM (`DriverObject->DriverUnload`), KMDF non-PnP (`WdfDriverInitNonPnpDriver` + `EvtDriverUnload`), or KMDF PnP for contrast |
    | Trigger | `sc stop`, `net stop`, ControlService, or shutdown |
    | Unload function set | DriverEntry names an Unload / EvtDriverUnload, or not |
    | Unregisters its callouts | the unload function calls FwpsCalloutUnregisterById0 for each callout |
    | Checks the unregister result | it tests the status (`NT_SUCCESS`), or ignores it as the inspect sample does |
    | Flows with a context | flows that still carry a callout context when the driver is stopped |
    | Flow contexts | left in place, removed before unregistering (the samples), or removed on STATUS_DEVICE_BUSY and retried (the docs) |
    | Flow context removal | FwpsFlowRemoveContext0 completes at once, or pends because a classify is running |
    | Callouts | how many callouts DriverEntry registered |
    | DriverEntry returns | what DriverEntry returns |
    """),
    code("""
    callout = Panel("callout")
    """),
    code("""
    callout
    """),
    md("""
    Driven from code: two flows still hold a context, and nothing removes them.
    """),
    code("""
    callout.set(flows_with_context=2)
    print(callout.outcome_text)
    """),
    md("""
    ## What to remember

    1. Every outcome here comes from the same model as the lessons; the Rules tab names the rule that decided it.
    2. For a minifilter, the severity class of the callback's status and whether the request is mandatory decide almost everything.
    3. A grid cell says how a request ends, not whether the documentation covers every step on the way: read the trace.
    """),
    md(NAV),
]

if __name__ == "__main__":
    write("09-playground.ipynb", cells)
