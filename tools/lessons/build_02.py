"""Build notebooks/02-non-mandatory.ipynb (sources only; run tools/run_notebooks.py after)."""
from _lessons import code, md, nav, sources, write

NAV = nav(("01-register-callback.ipynb", "01 · Register a FilterUnloadCallback"),
          ("03-mandatory.ipynb", "03 · Mandatory unloads"))

cells = [
    md(f"""
    # 02 · Non-mandatory unloads

    {NAV}

    **What you will learn** (about 15 minutes)

    - Which requests are non-mandatory: FilterUnload (an application), FltUnloadFilter
      (another kernel-mode driver) and `fltmc unload` (an administrator).
    - How the FilterUnloadCallback refuses one: it returns STATUS_FLT_DO_NOT_DETACH, or any
      other warning or error status.
    - Why an informational status does not refuse: NT_SUCCESS and the two severity bits.
    - What each requester gets back: an NTSTATUS, the HRESULT `0x801F0010`, and the two
      lines `fltmc` prints.
    """),
    code("""
    %matplotlib inline
    from unloadlab.exercises import check_prediction
    from unloadlab.windows import hresult_for_user_mode, parse_status
    from unloadlab.catalogue import rule
    from unloadlab.catalogue import example, format_lesson
    from unloadlab.views.text import format_trace
    from unloadlab.exercises.widgets import Quiz
from unloadlab.views.widgets import Panel
    """),
    md(f"""
    ## The rules, in our words

    - **`nonmandatory-triggers`**: three requests ask the filter manager for a
      non-mandatory unload: FilterUnload from a user-mode application, FltUnloadFilter from
      another kernel-mode driver, and `fltmc unload`, which is itself a FilterUnload caller.
      The callback gets `Flags = 0`.
      {sources("nonmandatory-triggers")}
    - **`nonmandatory-refusal`**: on such an unload the callback has a veto. If it returns
      a warning or an error status, the minifilter stays loaded; anything else lets the
      unload go on.
      {sources("nonmandatory-refusal")}
    - **`do-not-detach-is-error`**: STATUS_FLT_DO_NOT_DETACH (`0xC01C0010`) is the
      conventional veto. It is an error status, nothing more magic than that.
      {sources("do-not-detach-is-error")}
    - **`ntstatus-severity`** and **`informational-allows`**: "a warning or an error" is a
      statement about the top two bits of the status: `10` is a warning, `11` an error.
      NT_SUCCESS is true for `00` (success) and `01` (informational), and an informational
      status does not refuse.
      {sources("ntstatus-severity", "informational-allows")}
    - **`flt-hresult`**: FilterUnload returns an HRESULT, not an NTSTATUS. A filter-manager
      status keeps its severity bit and its code and takes facility `0x1F`:
      `0xC01C0010` becomes `0x801F0010`.
      {sources("flt-hresult")}
    - **`callback-status-propagates`** and **`fltmc-output`** (*field-observed*: seen on real
      Windows, not documented): the requester gets the refusing callback's own status, and
      `fltmc` prints `Unload failed with error: 0x801f0010` followed by the system's
      message text for that code.
      {sources("callback-status-propagates", "fltmc-output")}

    **Where the documentation is silent.** Which HRESULT FilterUnload returns for a status
    from outside the filter manager's facility, such as STATUS_DEVICE_BUSY, is not
    documented (`silent-other-hresult`), nor is the thread the callback runs in for these
    requests (`silent-callback-thread`). The traces say so where it matters.

    The same statements, straight from the lab's rules catalogue:
    """),
    code("""
    for rid in ("nonmandatory-triggers", "nonmandatory-refusal", "informational-allows"):
        print(f"{rid} [{rule(rid).kind.value}]: {rule(rid).statement}")
    """),
    md("""
    ## The two severity bits

    Four statuses, one of each severity. The refusal test is NT_SUCCESS: the last column.
    """),
    code("""
    for name in ("STATUS_SUCCESS", "STATUS_OBJECT_NAME_EXISTS", "STATUS_DEVICE_BUSY", "STATUS_FLT_DO_NOT_DETACH"):
        st = parse_status(name)
        print(f"{st.hex}  top bits {st.code >> 30:02b}  {st.severity.value:13}  {name:25}  NT_SUCCESS: {st.nt_success}")
    """),
    md("""
    ## `fltmc unload`, refused

    An administrator types `fltmc unload SampleFilter`; the callback returns
    STATUS_FLT_DO_NOT_DETACH.
    """),
    code("""
    trace = example("fltmc-refused").run()
    print(format_trace(trace))
    """),
    md("""
    Step 9 calls the callback with `Flags=0`: not mandatory. Step 10 returns the error
    *without tearing anything down*: that is what Microsoft's samples do (rule
    `refuse-before-teardown`), so nothing is left half undone when the veto holds.
    Step 11 is the veto. In step 12 the status crosses into user mode as an HRESULT, and
    step 13 is what `fltmc` prints.
    """),
    code("""
    assert trace["callback_flags"] == []                   # Flags = 0: a non-mandatory unload
    assert trace["unloaded"] is False                      # refused: still loaded
    assert trace["requester_got"] == "HRESULT 0x801F0010"  # what FilterUnload gave fltmc
    """),
    md("""
    The HRESULT is computed from the NTSTATUS, not looked up:
    """),
    code("""
    hresult, documented = hresult_for_user_mode(parse_status("STATUS_FLT_DO_NOT_DETACH"))
    print(f"0x{hresult:08X}", "(documented)" if documented else "(inferred)")
    """),
    md("""
    ## What each requester gets back

    A veto from three callbacks, seen by three requesters:
    """),
    code("""
    for name in ("fltunloadfilter-refused-error", "fltmc-refused", "filterunload-refused-warning"):
        t = example(name).run()
        print(f"{t['trigger']:16} callback returned {t['callback_returned']:25} requester got: {t['requester_got']}")
    """),
    md("""
    A kernel-mode caller gets the callback's NTSTATUS as it is. A user-mode caller gets an
    HRESULT: for a filter-manager status the conversion is documented; for
    STATUS_DEVICE_BUSY, a warning from another facility, it is not, and the lab says so
    rather than guess. And here are the two lines `fltmc` printed for the refusal above:
    """),
    code("""
    print("\\n".join(trace["printed"]))
    """),
    md("""
    ## An informational status does not refuse

    A callback that "returns something other than STATUS_SUCCESS to say no" can be
    surprised. STATUS_OBJECT_NAME_EXISTS (`0x40000000`) is informational, so NT_SUCCESS
    holds and the unload goes on:
    """),
    code("""
    info = example("informational-allows").run()
    print(info.headline)
    assert info["unloaded"] is True   # informational: NT_SUCCESS is true, so no veto
    """),
    md("""
    ## This lesson's scenarios at a glance

    Each row is a named scenario from the catalogue, its outcome, and the rule that
    decides it. `example(name).run()` replays any of them.
    """),
    code("""
    print(format_lesson("02-non-mandatory"))
    """),
    md("""
    `conditional-refusal-non-mandatory` is a callback that refuses only non-mandatory
    unloads; lesson 03 shows why you would write it that way. `filterunload-no-privilege`
    fails before the callback is ever called: FilterUnload needs SeLoadDriverPrivilege.
    What it returns then is not documented; the lab shows `0x80070522` and marks it as
    inferred.
    """),
    md("""
    ## Try it

    Two knobs: who asks, and what the callback returns. A status that is not in the list:
    choose "other (hex)" and type its code, such as `0x40000001`. The **Sequence diagram**
    tab draws the veto; the **C code** tab shows the callback's `return`.
    """),
    code("""
    panel = Panel("minifilter", show=("trigger", "callback_returns"),
                  trigger="fltmc-unload", callback_returns="STATUS_FLT_DO_NOT_DETACH")
    """),
    code("""
    panel
    """),
    md("""
    The same controls, driven from code (the panel above changes too). A warning refuses
    as well:
    """),
    code("""
    panel.set(callback_returns="STATUS_DEVICE_BUSY")
    print(panel.outcome_text)
    """),
    md("""
    The same refusal, asked for by a kernel-mode driver:
    """),
    code("""
    panel.set(trigger="FltUnloadFilter")
    print(panel.outcome_text)
    """),
    md("""
    Bad input is refused with a message, and the previous result stays in place:
    """),
    code("""
    panel.set(callback_returns="0xNOT-HEX")
    print(panel.error_text)
    print(panel.outcome_text)
    """),
    md("""
    ## Predict, then check

    The same callback, still returning STATUS_FLT_DO_NOT_DETACH every time. This time an
    administrator types `sc stop SampleFilter`. Does the veto hold? Decide before you look.
    """),
    code("""
    Quiz("sc-stop-refusal-ignored", "The callback returns STATUS_FLT_DO_NOT_DETACH. The request is sc stop. What happens?")
    """),
    md("""
    Or in code: put your answer in `my_prediction` and run the cell.
    """),
    code("""
    my_prediction = None   # one of: unloaded, refused, failed, hung, shutdown, driver-entry-failed, hazard
    print(check_prediction("sc-stop-refusal-ignored", my_prediction))
    """),
    md("""
    In a terminal the same scenarios run with `python -m unloadlab scenarios fltmc-refused`,
    or with your own knobs:
    `python -m unloadlab minifilter --trigger FltUnloadFilter --callback-returns 0x80000011`.
    """),
    md("""
    ## What to remember

    1. FilterUnload, FltUnloadFilter and `fltmc unload` are non-mandatory: the callback gets Flags = 0 and may refuse.
    2. Any warning or error status refuses (NT_SUCCESS is false); an informational one does not; STATUS_FLT_DO_NOT_DETACH is the usual veto.
    3. FltUnloadFilter gets the callback's NTSTATUS; FilterUnload gets an HRESULT (`0x801F0010`), which `fltmc` prints with its message.
    """),
    md(NAV),
]

write("02-non-mandatory.ipynb", cells)
