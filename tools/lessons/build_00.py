"""Build notebooks/00-start-here.ipynb (sources only; run tools/run_notebooks.py after)."""
from _lessons import code, md, nav, write

NAV = nav(None, ("01-register-callback.ipynb", "01 · Register a FilterUnloadCallback"))

cells = [
    md(f"""
    # Unload Lab · Start here

    {NAV}

    **Unload Lab** shows how Windows unloads a file-system **minifilter** driver. You choose
    what the driver registers and what its unload routine returns, and who asks for the
    unload; the lab shows, step by step, what the filter manager, the I/O manager and the
    service control manager do, and names the documented rule behind every step. Where
    Microsoft's documentation says nothing, the lab says so instead of guessing.

    Nothing here touches a real Windows machine. The model is plain Python that you can
    read (`src/unloadlab/minifilter.py`); the notebooks only call it and show its answers.

    **Who it is for**

    - **You, on your own** (`jupyter lab` or Binder): do 01 to 04 in order, about an hour,
      then whichever later lesson matches your problem.
    - **An instructor with 90 minutes**: this notebook together (10 minutes), lessons 01
      to 04 (about 12 minutes each, learners drive the panels), then 10 · Practice.
      Each lesson ends with *Predict, then check*: poll the room before anyone presses Check.
    - **A team lead onboarding engineers**: the quizzes check answers themselves and, when
      an answer is wrong, name the rule that was missed. 11 · Why won't my driver stop?
      starts from symptoms.

    **What you will learn here** (about 10 minutes)

    - The words the lab uses, and the Python name each one maps to.
    - How to read a trace, with your first unload in one cell.
    - How the widget panels work, and the same from a terminal.
    """),
    code("""
    %matplotlib inline
    import io
    from contextlib import redirect_stdout

    from unloadlab.cli import main
    from unloadlab.minifilter import MinifilterScenario, Trigger, simulate
    from unloadlab.windows import parse_status
    from unloadlab.catalogue import rule
    from unloadlab.windows import Outcome
    from unloadlab.views.text import format_trace
    from unloadlab.views.widgets import Panel
    """),
    md("""
    ## The words, and their Python names

    One word, one name: the prose and the code never use synonyms for each other.

    | word | what it means | in Python |
    |---|---|---|
    | **minifilter** | a file-system filter driver that registers with the filter manager. The lab's minifilter is called SampleFilter. | `MinifilterScenario(...)`: the knobs of one minifilter and one unload request. `Actor.MINIFILTER` in a trace. |
    | **filter manager** | fltmgr.sys, the Windows component that loads minifilters, calls their callbacks and unloads them. | `Actor.FILTER_MANAGER`. `simulate(scenario)` plays its part, and that of the I/O manager and the service control manager. |
    | **FilterUnloadCallback** | the minifilter's unload routine. DriverEntry registers it in `FLT_REGISTRATION`; the filter manager calls it before unloading. | knobs `unload_callback` (registered or not) and `callback_returns` (its NTSTATUS); `trace["callback_called"]`, `trace["callback_returned"]`. |
    | **trigger** | who asks for the unload: FilterUnload, FltUnloadFilter, `fltmc unload`, `sc stop`, `net stop`, ControlService, or a system shutdown. | `Trigger`; the knob `trigger="sc-stop"`. |
    | **mandatory / non-mandatory** | a service stop is *mandatory*: the callback is told so (FLTFL_FILTER_UNLOAD_MANDATORY) and cannot refuse. The other requests are *non-mandatory*: the callback may refuse. | `Trigger("sc-stop").mandatory`; `trace["mandatory"]`; `trace["callback_flags"]`. |
    | **NTSTATUS severity** | the top two bits of a 32-bit status: success, informational, warning, error. NT_SUCCESS is true for the first two. | `parse_status("0xC01C0010")` gives an `NtStatus` with `.severity` and `.nt_success`. |
    | **trace** | what happened, in order: who called whom, what came back, the rules behind each step, and the final state. | `Trace`, returned by `simulate`; `format_trace(trace)` prints it; `trace["unloaded"]` reads the final state. |
    | **outcome** | how the request ended, in one word: what you predict in the quizzes. | `Outcome`; `trace.outcome`. |
    | **rule id** | the name of one documented rule, such as `nonmandatory-refusal`. Every step of a trace cites one or more. | `rule("nonmandatory-refusal")` gives a `Rule` with `.statement`, `.kind` and `.cite()`. |

    A rule's **kind** says how we know it: *documented* (Microsoft's documentation says it),
    *sample* (what Microsoft's driver samples do), *mechanism* (read from an open
    re-implementation such as ReactOS), *field-observed* (seen on real Windows, not
    documented) or *documentation silent* (nobody documents it, and the trace says so).

    A few of those names at work. Which triggers are mandatory:
    """),
    code("""
    for trigger in Trigger:
        print(f"{trigger.value:16} mandatory: {trigger.mandatory}")
    """),
    md("""
    Shutdown says `False` because it is not an unload request at all: lesson 06 shows
    that no unload routine runs then.

    A status, by name or by hex, and its severity:
    """),
    code("""
    st = parse_status("0xC01C0010")
    print(st.describe(), "| NT_SUCCESS:", st.nt_success)
    """),
    md("""
    A rule, by its id: its kind, its statement in our words, and its sources.
    """),
    code("""
    r = rule("nonmandatory-refusal")
    print(f"{r.id} [{r.kind.value}]: {r.statement}")
    print("sources:", r.cite())
    """),
    md("""
    ## Your first unload, in one cell

    An administrator types `fltmc unload SampleFilter`, and the minifilter's
    FilterUnloadCallback answers STATUS_FLT_DO_NOT_DETACH:
    """),
    code("""
    trace = simulate(MinifilterScenario(trigger="fltmc-unload", callback_returns="STATUS_FLT_DO_NOT_DETACH"))
    print(format_trace(trace))
    """),
    md("""
    How to read it:

    - The first block echoes **every knob**, defaults included, so a trace pasted into a
      chat or a bug report says how to reproduce it.
    - Each step reads `[who -> whom] the call -> what came back`, then one sentence, then
      the `rules:` it cites. Steps without an arrow are something an actor does itself.
      Marks such as `<< REFUSED >>` point at the steps that decide the outcome.
    - Steps 1 to 5 load the driver: DriverEntry registers with the filter manager.
      Step 9 calls the FilterUnloadCallback with `Flags=0` (not mandatory); steps 10 and 11
      are the refusal; steps 12 and 13 are what `fltmc` gets back and prints.
    - The outcome comes in words, then every rule cited, with its kind.

    The trace is data, so a claim about it can be checked:
    """),
    code("""
    assert trace.outcome is Outcome.REFUSED   # the callback said no
    assert trace["unloaded"] is False         # so SampleFilter is still loaded
    """),
    md("""
    ## The same from a terminal

    The lab has a command line. In a terminal, in the repository:

    ```
    python -m unloadlab minifilter --trigger fltmc-unload --callback-returns STATUS_FLT_DO_NOT_DETACH
    ```

    prints exactly the trace above. `--json` prints it as one JSON object;
    `python -m unloadlab minifilter --help` lists every knob;
    `python -m unloadlab rules ID` explains a rule; `python -m unloadlab scenarios` lists the
    named scenarios, and `python -m unloadlab scenarios NAME` runs one.

    The command line is the function `main`; here it is called from Python, and what it
    prints is compared with the trace above:
    """),
    code("""
    with redirect_stdout(io.StringIO()) as terminal:
        status = main(["minifilter", "--trigger", "fltmc-unload", "--callback-returns", "STATUS_FLT_DO_NOT_DETACH"])
    assert status == 0                                         # the command succeeded
    assert terminal.getvalue().strip() == format_trace(trace)  # and printed the very same trace
    """),
    code("""
    status = main(["rules", "mandatory-ignores-refusal"])
    """),
    md("""
    ## How the panels work

    Each lesson has a **panel**: a few controls (only the knobs that lesson is about), the
    **outcome in words** (never only a colour or a picture), and four tabs:

    - **Trace**: the steps, as above.
    - **Sequence diagram**: the same steps as a picture, one lifeline per actor.
    - **C code**: the driver code those knobs stand for.
    - **Rules**: every rule the trace cites, with links to its sources.

    Change a control and the panel simulates again. Bad input, such as a malformed hex
    status, is reported in the panel, and the previous result stays in place.

    A panel can also be driven from code: `panel.set(...)` changes its real controls,
    `panel.outcome_text` is the outcome line, `panel.result` is the trace. The lessons do
    this so that what the panel says is also in the notebook as text.
    Each lesson ends with *Predict, then check*: a quiz widget (choose, then press Check),
    and the same as a line of code.

    A first panel, with one control: what the callback returns to `fltmc unload`.
    """),
    code("""
    panel = Panel("minifilter", show=("callback_returns",),
                  trigger="fltmc-unload", callback_returns="STATUS_FLT_DO_NOT_DETACH")
    """),
    code("""
    panel
    """),
    md("""
    Choose STATUS_SUCCESS in the dropdown, or run the next cell, which does the same:
    """),
    code("""
    panel.set(callback_returns="STATUS_SUCCESS")
    print(panel.outcome_text)
    assert panel.result["unloaded"] is True   # the panel's trace: unloaded this time
    """),
    md("""
    ## The lessons

    Each takes 10 to 15 minutes and ends with a question that checks itself.

    | | lesson | what it settles |
    |---|---|---|
    | 01 | [Register a FilterUnloadCallback](01-register-callback.ipynb) | without one, nothing can unload your minifilter |
    | 02 | [Non-mandatory unloads](02-non-mandatory.ipynb) | FilterUnload, FltUnloadFilter, `fltmc unload`: the callback may refuse |
    | 03 | [Mandatory unloads](03-mandatory.ipynb) | `sc stop`, `net stop`, ControlService: a refusal is ignored |
    | 04 | [Opting out of service stop](04-service-stop-opt-out.ipynb) | FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP |
    | 05 | [When DriverEntry fails](05-driver-entry-fails.ipynb) | no unload routine after a failed load |
    | 06 | [Shutdown](06-shutdown.ipynb) | no unload routine at shutdown; IRP_MJ_SHUTDOWN instead |
    | 07 | [Inside the unload routine](07-unload-routine.ipynb) | server ports, FltUnregisterFilter, instance teardown, hangs |
    | 08 | [WFP callout drivers](08-wfp-callout.ipynb) | the WDM and KMDF unload functions of a callout driver |
    | 09 | [Playground](09-playground.ipynb) | every knob at once |
    | 10 | [Practice](10-practice.ipynb) | exercises that check your answers |
    | 11 | [Why won't my driver stop?](11-why-wont-my-driver-stop.ipynb) | from a symptom to the rule behind it |
    """),
    md("""
    ## What to remember

    1. A scenario goes in, a trace comes out: every step names who acts and the rule behind it.
    2. Every outcome is said in words, in the trace, in the panel, and on the command line.
    3. Where the documentation is silent, the trace says so: look for `DOCUMENTATION SILENT` and rules of that kind.
    """),
    md(NAV),
]

write("00-start-here.ipynb", cells)
