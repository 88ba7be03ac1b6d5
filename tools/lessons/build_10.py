"""Build notebooks/10-practice.ipynb (sources only; run tools/run_notebooks.py after)."""
from _lessons import code, md, nav, write

NAV = nav(("09-playground.ipynb", "09 · Playground"),
          ("11-why-wont-my-driver-stop.ipynb", "11 · Why won't my driver stop?")).replace("\n", " ")

cells = [
    md(f"""
    # 10 · Practice

    {NAV}

    **What you will learn** (about 15 minutes, or as long as you like)

    - To predict what Windows does with an unload you have never seen, minifilter or WFP
      callout driver, from its knobs alone.
    - To work with **seeds**: a seed is a whole number that picks a problem, the same
      problem on every machine, so you can compare answers with a colleague.
    - Which rule you missed when a prediction is wrong.
    """),
    code("""
    %matplotlib inline
    from collections import Counter

    from unloadlab.exercises import check_answer, describe, problem, simulate
    from unloadlab.exercises.widgets import Practice
    """),
    md("""
    ## A problem from a seed

    `problem(seed)` draws a scenario of either driver family. `describe` puts it in words:
    the seed first, then every knob, then one sentence for each knob that shapes this
    problem. Most problems are not about a failed DriverEntry: the draw favours refusals,
    service-stop opt-outs, open ports and flow contexts.
    """),
    code("""
    print(describe(problem(9), seed=9))
    """),
    md("""
    The seed is all you need to share a problem: the same seed gives the same problem
    everywhere, and another seed gives another one.
    """),
    code("""
    assert problem(9) == problem(9)    # same seed, same problem
    assert problem(9) != problem(10)   # another seed, another problem
    """),
    md("""
    ## Practice

    Read the problem, choose your prediction, press **Check**. A wrong answer names the rule
    you missed; **Show the trace** reveals every step. **New problem** moves to the next
    seed, or type any seed you like.
    """),
    code("""
    practice = Practice(seed=9)
    practice
    """),
    md("""
    The same widget driven from code. Moving to the next seed clears the old answer, and
    Check with no prediction asks for one:
    """),
    code("""
    practice.next_problem()
    print(practice.problem_text.splitlines()[0])
    print(practice.check())
    """),
    md("""
    ## Or in code

    Put a seed in `my_seed` and your prediction in `my_answer`, then run the cell.
    """),
    code("""
    my_seed = 9
    my_answer = None   # one of: unloaded, refused, failed, hung, shutdown, driver-entry-failed, hazard
    print(check_answer(my_seed, my_answer))
    """),
    md("""
    ## How varied are the problems?

    The outcomes of the first 500 seeds. Every outcome the lab knows comes up, and a failed
    DriverEntry is one of the rarer ones.
    """),
    code("""
    outcomes = Counter(simulate(problem(seed)).outcome.value for seed in range(500))
    for outcome, n in outcomes.most_common():
        print(f"{n:4}  {outcome}")
    """),
    md("""
    In a terminal the same problems come from `python -m unloadlab quiz --seed 1`; add
    `--answers` to see the outcome, the deciding rule and the whole trace.
    """),
    md("""
    ## What to remember

    1. Start from the trigger: a service stop is mandatory and ignores a refusal; the filter-manager requests are not.
    2. Then look for what ends it early: no DriverUnload, a failed DriverEntry, a hang, a callout left registered.
    3. A seed is a problem anyone can reproduce: `python -m unloadlab quiz --seed N`, and `--answers` to check.
    """),
    md(f"""
    {NAV}
    """),
]

if __name__ == "__main__":
    write("10-practice.ipynb", cells)
