"""The mistakes a callout driver's code holds, read from its knobs alone: the headline names
each one, whether this run triggers it or not (a latent mistake is still a mistake).

``flaws(scenario)`` gives (rule id, the mistake in the headline's words) pairs, in
teardown order. The C view marks the same mistakes with BUG lines; a test checks over the
whole decision space that every BUG line's rule is named here.
"""
from __future__ import annotations

from .scenario import CalloutScenario, DriverModel, FilterRemoval

__all__ = ["flaws", "PHRASES"]

PHRASES = {  # rule id: the mistake in the headline's words
    "wfp-static-objects-stay": "it never deletes its static filters, so they outlive the driver",
    "wfp-drain-before-unregister": "it unregisters before waiting for work in flight, so a classifyFn still "
                                   "running would make an unregister fail",
    "wfp-wait-flow-deletes": "it does not wait for every flowDeleteFn, so one left pending could run after it "
                             "moves on",
    "wfp-unload-must-unregister": "it never unregisters its callouts",
    "wfp-sample-ignores-result": "it ignores what FwpsCalloutUnregisterById0 returns, so a failed unregister "
                                 "would go unnoticed",
    "wfp-sample-stop-at-first-failure": "it gives up at the first failed unregister, so a flow with a context "
                                        "would leave callouts registered",
    "wfp-unregister-passive-level": "it unregisters at APC_LEVEL, where FwpsCalloutUnregisterById0 must not be "
                                    "called",
    "wfp-filters-before-callouts": "it removes its filters only after unregistering, so their traffic is "
                                   "blocked meanwhile",
    "wfp-unregister-before-device-delete": "it unregisters in EvtDriverUnload, after a device removal has "
                                           "already deleted the device",
    "wfp-unload-deletes-device": "it has no EvtDriverUnload, so nothing destroys its injection handle",
    "callout-kmdf-pnp-always-unload": "it has no EvtDriverUnload, so nothing unregisters its callouts",
}


def _teardown_flaws(sc: CalloutScenario) -> list[str]:
    """Mistakes in the teardown's code (it exists only with an unload function or the PnP cleanup)."""
    out = []
    if not sc.drains_before_unregister:
        out.append("wfp-drain-before-unregister")
    removal_code = sc.removes_first or (sc.retries_on_failure and sc.unregisters)
    if removal_code and not sc.waits_for_flow_deletes:
        out.append("wfp-wait-flow-deletes")
    if not sc.unregisters:
        out.append("wfp-unload-must-unregister")
    elif not sc.check_unregister_result:
        out.append("wfp-sample-ignores-result")
    elif not sc.retries_on_failure:
        out.append("wfp-sample-stop-at-first-failure")
    if sc.unregisters and sc.unregister_at_apc_level:
        out.append("wfp-unregister-passive-level")
    if sc.filters is FilterRemoval.AFTER_UNREGISTER:
        out.append("wfp-filters-before-callouts")
    return out


def flaws(sc: CalloutScenario) -> list[tuple[str, str]]:
    """(rule id, phrase) for each mistake this driver's code holds."""
    return [(rule, PHRASES[rule]) for rule in _rules(sc)]


def _rules(sc: CalloutScenario) -> list[str]:
    out = []
    if sc.filters is FilterRemoval.LEFT_IN_PLACE:
        out.append("wfp-static-objects-stay")
    if sc.unload_function or sc.tears_down_in_cleanup:
        out += _teardown_flaws(sc)
    if sc.model is DriverModel.WDF_PNP:
        if sc.unload_function and not sc.tears_down_in_cleanup:
            out.append("wfp-unregister-before-device-delete")
        if not sc.unload_function:
            out.append("wfp-unload-deletes-device" if sc.tears_down_in_cleanup else "callout-kmdf-pnp-always-unload")
    return out
