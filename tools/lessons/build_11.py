"""Build notebooks/11-why-wont-my-driver-stop.ipynb (sources only; run tools/run_notebooks.py after).

The cases come from unloadlab.practice.CASES; this builder writes one section per case.
Their symptoms and checks are printed by the notebook itself, from the model.
"""
from _lessons import code, md, nav, write

from unloadlab.exercises.capstone import CASES

NAV = nav(("10-practice.ipynb", "10 · Practice"), None).replace("\n", " ")


def case_cells(n: int, name: str) -> list:
    return [
        md(f"""
        ## Case {n}
        """),
        code(f"""
        print(symptoms("{name}"))
        """),
        code(f"""
        Diagnosis("{name}")
        """),
        code(f"""
        my_answer = None   # a diagnosis key from the list above, in quotes
        print(check_diagnosis("{name}", my_answer))
        """),
    ]


cells = [
    md(f"""
    # 11 · Why won't my driver stop?

    {NAV}

    **What you will learn** (about 20 minutes; in pairs it is a good workshop finale)

    - To work back from a symptom to its cause: what `sc stop` or `fltmc unload` printed,
      what the requester got back, and what a kernel debugger shows.
    - To tell apart drivers that fail the same way from the outside: two of these cases
      print exactly the same error.
    - To name the documented rule behind each failure, minifilter and WFP callout alike.
    """),
    code("""
    %matplotlib inline
    from unloadlab.exercises import check_diagnosis, format_diagnoses, symptoms
    from unloadlab.exercises.widgets import Diagnosis
    """),
    md("""
    ## How this works

    Each case below is a broken driver, shown the way it reaches you in a bug report: who
    asked for the unload, what came back, and the calls and returns a kernel debugger
    would show, in order. There are no explanations and no rule ids; every line comes from
    the lab's model, not from a hand-written transcript.

    For each case, choose a diagnosis in the drop-down and press Check, or set
    `my_answer` in the cell under it. A wrong answer says why it does not fit and names
    the rule that decides the case.
    """),
    md("""
    ## The diagnoses

    Every case has exactly one of these; some are there only to be ruled out. Next to each
    are the rules behind it: `python -m unloadlab rules RULE-ID` prints any of them.
    """),
    code("""
    print(format_diagnoses())
    """),
]
for n, c in enumerate(CASES, 1):
    cells += case_cells(n, c.name)
cells += [
    md("""
    ## Stuck?

    - Start with the last line the debugger shows: did the request come back at all, and
      with what?
    - Two cases print the same error. Read their `FltRegisterFilter` calls side by side.
    - A service that stopped cleanly can still be a broken driver: look at what the unload
      function's calls returned.
    """),
    md("""
    ## What to remember

    1. 1052 from `sc stop` means there is no DriverUnload: no FilterUnloadCallback, or DO_NOT_SUPPORT_SERVICE_STOP.
    2. A refusal needs a non-mandatory request; a hang is a wait in FltUnregisterFilter; 1062 means it never loaded.
    3. A callout driver that "stopped" may have left callouts registered: check every FwpsCalloutUnregisterById0 result.
    """),
    md(f"""
    {NAV}
    """),
]

if __name__ == "__main__":
    write("11-why-wont-my-driver-stop.ipynb", cells)
