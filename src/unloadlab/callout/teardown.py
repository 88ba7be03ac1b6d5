"""Steps 1-5 of a callout driver's teardown (see ``model``): stop new work, remove the
filters, wait for work in flight, remove flow contexts and wait for flowDeleteFn,
unregister the callouts. Mixed into the model's run, whose state (``sc``, ``registered``,
``contexts``, ``pending``, ``filters``, ...) and ``step`` it uses; knobs move or drop steps.
"""
from __future__ import annotations

from typing import Iterable

from ..windows.ntstatus import SUCCESS
from ..windows.trace import Actor, Kind, Mark
from .scenario import ContextRemoval, FilterRemoval, FlowRemoval

__all__ = ["Teardown", "NOT_DOCUMENTED", "STATUS_NOT_SUPPORTED", "BUSY", "IN_USE", "plural"]

NOT_DOCUMENTED = "(not documented)"        # an unregister result no source gives
# What FwpsCalloutUnregisterById0 returned, as the trace records it (a status's label):
STATUS_NOT_SUPPORTED = "STATUS_NOT_SUPPORTED"  # 0xC00000BB (ntstatus.h): what #464 saw at APC_LEVEL
BUSY = "STATUS_DEVICE_BUSY"
IN_USE = "STATUS_FWP_IN_USE"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Teardown:
    """The teardown's steps; ``model._Run`` provides the state they read and change."""

    def take_down_callouts(self) -> None:
        """Steps 1-5 of the canonical order (see the docstring of ``model``), moved or dropped by the knobs."""
        sc = self.sc
        self.classify_running = sc.classify_in_progress
        self.by_driver(Kind.ACTION, "Unloading = TRUE (under FlowLock)",
                       "Stops new work first: from now on classifyFn attaches no flow context and queues nothing.",
                       ("wfp-stop-new-work",))
        if sc.filters is not FilterRemoval.AFTER_UNREGISTER:
            self.remove_filters()
        if sc.drains_before_unregister:
            self.drain()
        else:
            self.no_drain_yet()
        if sc.removes_first:
            self.remove_contexts(range(sc.callouts), "wfp-sample-remove-contexts-first")
            self.after_removal()
        if sc.unregisters:
            self.unregister_all()
        else:
            self.by_driver(Kind.NOTE, "FwpsCalloutUnregisterById0 never called",
                           "The teardown forgets its callouts: every one of them stays registered with the filter "
                           "engine.", ("wfp-unload-must-unregister", "wfp-unregister-by-id"), mark=Mark.HAZARD)
        if not sc.drains_before_unregister:
            self.drain()
        if sc.filters is FilterRemoval.AFTER_UNREGISTER:
            self.remove_filters()

    def remove_filters(self) -> None:
        """Take the driver's filters (and callout objects) out of the engine, as the knob says."""
        sc = self.sc
        n = sc.callouts
        how = sc.filters
        if how is FilterRemoval.DELETED_BY_KEY:
            self.by_driver(Kind.CALL, f"FwpmFilterDeleteByKey0(EngineHandle, &FilterKeys[i]) x {n}",
                           "Deletes each of its filters by key: they were added in a static session.",
                           ("wfp-delete-by-key",), Actor.FILTER_ENGINE)
            self.by_engine(Kind.RETURN, "FwpmFilterDeleteByKey0 returns", "Each filter is deleted.",
                           ("wfp-delete-by-key",), Actor.CALLOUT_DRIVER, SUCCESS.label)
            self.filters = 0
            self.by_driver(Kind.CALL, f"FwpmCalloutDeleteByKey0(EngineHandle, &CalloutKeys[i]) x {n}",
                           "Then deletes its callout objects: no filter names them any more.",
                           ("wfp-delete-by-key", "wfp-callout-object-in-use"), Actor.FILTER_ENGINE)
            self.by_engine(Kind.RETURN, "FwpmCalloutDeleteByKey0 returns", "Each callout object is deleted.",
                           ("wfp-delete-by-key",), Actor.CALLOUT_DRIVER, SUCCESS.label)
            self.by_driver(Kind.CALL, "FwpmEngineClose0(EngineHandle)",
                           "Closes its static session; nothing is left in it to delete.", ("wfp-static-objects-stay",),
                           Actor.FILTER_ENGINE)
        elif how is FilterRemoval.LEFT_IN_PLACE:
            self.by_driver(Kind.CALL, f"FwpmCalloutDeleteByKey0(EngineHandle, &CalloutKeys[i]) x {n}",
                           "Tries to delete its callout objects without deleting the filters that name them.",
                           ("wfp-callout-object-in-use",), Actor.FILTER_ENGINE)
            self.by_engine(Kind.RETURN, "FwpmCalloutDeleteByKey0 returns",
                           "A filter still names each callout, so no callout object can be deleted.",
                           ("wfp-callout-object-in-use",), Actor.CALLOUT_DRIVER, "STATUS_FWP_IN_USE", Mark.FAILED)
            self.by_driver(Kind.CALL, "FwpmEngineClose0(EngineHandle)",
                           f"Closes its static session; its {plural(n, 'filter')} and callout objects stay in the "
                           "engine.",
                           ("wfp-static-objects-stay", "wfp-filters-before-callouts"), Actor.FILTER_ENGINE)
        else:
            late = how is FilterRemoval.AFTER_UNREGISTER
            detail = ("Closes its dynamic session: the engine deletes the filters and callout objects added in it"
                      + (" only now, after the callouts were unregistered." if late else
                         ", so no new classifyFn call can start."))
            self.by_driver(Kind.CALL, "FwpmEngineClose0(EngineHandle)", detail,
                           ("wfp-dynamic-session-filters", "wfp-filters-before-callouts"), Actor.FILTER_ENGINE)
            self.filters = 0

    def drain(self) -> None:
        """Wait for work in flight (classifyFn calls, pended classifies, injections), then for the
        worker thread that completes the queued work."""
        sc = self.sc
        before = sc.drains_before_unregister
        running = " A classifyFn of callout 0 was still running; the wait ends when it returns." \
            if self.classify_running else ""
        self.by_driver(Kind.ACTION, "ExWaitForRundownProtectionRelease(&Rundown)",
                       "Waits until every classifyFn in flight, and every pended classify or injection it queued, "
                       "has released its rundown protection; from now on classifyFn starts nothing." + running,
                       ("wfp-rundown-wait", "wfp-drain-before-unregister"))
        if self.classify_running:
            self.by_driver(Kind.RETURN, "classifyFn returns (callout 0)",
                           "The classify that was in flight finishes and releases its rundown protection.",
                           ("wfp-rundown-wait",), Actor.FILTER_ENGINE)
            self.classify_running = False
        self.by_driver(Kind.ACTION, "KeWaitForSingleObject(WorkerThread, Executive, KernelMode, FALSE, NULL)",
                       "Tells the worker thread to stop (WorkerStop, then its event) and waits for the thread "
                       "object: the worker finishes its queue and exits, as in inspect and ddproxy."
                       + ("" if before else " This teardown does it only after unregistering."),
                       ("wfp-wait-worker-thread", "callout-bugcheck-0xce"))

    def no_drain_yet(self) -> None:
        """The teardown unregisters before it waits for work in flight (the rule it breaks)."""
        if self.classify_running:
            detail = ("It unregisters before waiting for work in flight, and a classifyFn of callout 0 is still "
                      "running.")
        else:
            detail = ("It unregisters before waiting for work in flight. Nothing happens to be in flight this "
                      "time; a classifyFn still running would make its callout's unregistering fail.")
        self.by_driver(Kind.NOTE, "work in flight not drained first", detail, ("wfp-drain-before-unregister",))

    def remove_contexts(self, callouts: Iterable[int], first_rule: str) -> None:
        """FwpsFlowRemoveContext0 for every flow of these callouts that carries a context."""
        chosen = [i for i in callouts if self.contexts[i]]
        n = sum(self.contexts[i] for i in chosen)
        if not n:
            return
        whose = f"callout {chosen[0]}" if len(chosen) == 1 else "the callouts"
        self.by_driver(Kind.CALL, f"FwpsFlowRemoveContext0(FlowId, LayerId, CalloutId) x {n}",
                       f"Removes the context from {'the one flow' if n == 1 else f'each of the {n} flows'} of "
                       f"{whose} in its flow table, with the lock released around each call.",
                       (first_rule, "wfp-flow-remove-context"), Actor.FILTER_ENGINE)
        if self.sc.flow_removal is FlowRemoval.SYNCHRONOUS:
            self.by_engine(Kind.CALL, f"flowDeleteFn(LayerId, CalloutId, FlowContext) x {n}",
                           "No classify is in progress, so the engine calls flowDeleteFn before the removal returns.",
                           ("wfp-flow-delete-fn", "wfp-flow-remove-context"), Actor.CALLOUT_DRIVER)
            self.flow_delete_calls += n
            self.by_engine(Kind.RETURN, "FwpsFlowRemoveContext0 returns", "Each removal is complete.",
                           ("wfp-flow-remove-context",), Actor.CALLOUT_DRIVER, SUCCESS.label)
        else:
            self.by_engine(Kind.RETURN, "FwpsFlowRemoveContext0 returns",
                           "A classify is in progress on these flows: flowDeleteFn will be called later, on its own.",
                           ("wfp-flow-remove-context",), Actor.CALLOUT_DRIVER, "STATUS_PENDING")
            for i in chosen:
                self.pending[i] += self.contexts[i]
        for i in chosen:
            self.contexts[i] = 0

    def after_removal(self) -> None:
        """Wait until every flowDeleteFn has run, or say that the teardown does not."""
        outstanding = sum(self.pending)
        if self.sc.waits_for_flow_deletes:
            detail = ("Waits for NoFlowContexts, the event the last flowDeleteFn sets when the flow table "
                      "empties.")
            self.by_driver(Kind.ACTION, "KeWaitForSingleObject(&NoFlowContexts, Executive, KernelMode, FALSE, NULL)",
                           detail + (" The removals still pending end now." if outstanding else
                               " No flow carries a context any more: the wait returns at once."),
                           ("wfp-wait-flow-deletes",))
            if outstanding:
                self.by_engine(Kind.CALL, f"flowDeleteFn(LayerId, CalloutId, FlowContext) x {outstanding}",
                               "The classify in progress finishes and the engine makes the pending flowDeleteFn "
                               "calls; the last one sets NoFlowContexts.",
                               ("wfp-flow-delete-fn", "wfp-wait-flow-deletes"),
                               Actor.CALLOUT_DRIVER)
                self.flow_delete_calls += outstanding
                self.pending = [0] * len(self.pending)
            return
        self.said_no_wait = True
        detail = ("It does not wait for flowDeleteFn: "
                  + (f"{plural(outstanding, 'call')} still pending may run after it moves on."
                     if outstanding else "every removal finished at once this time, but one that returned "
                     "STATUS_PENDING would leave flowDeleteFn to run later, maybe after the image is gone."))
        self.by_driver(Kind.NOTE, "flowDeleteFn calls not waited for", detail, ("wfp-wait-flow-deletes",))

    def unregister_all(self) -> None:
        """FwpsCalloutUnregisterById0 for each callout, reacting to failures as the knobs say."""
        sc = self.sc
        if sc.unregister_at_apc_level:
            self.by_driver(Kind.ACTION, "ExAcquireFastMutex(&ConfigLock)",
                           "Takes a fast mutex around the unregistering: the thread now runs at APC_LEVEL.",
                           ("wfp-unregister-passive-level",))
        failed = False
        for i in range(sc.callouts):
            result = self.unregister(i, again=False)
            if not self.registered[i]:
                continue
            failed = True
            if not sc.check_unregister_result:
                continue   # the ignored failure is marked on its return step
            if sc.retries_on_failure and result == BUSY:
                self.by_driver(Kind.ACTION, "STATUS_DEVICE_BUSY: recover",
                               "STATUS_DEVICE_BUSY is a warning, so NT_SUCCESS is false for it; the driver removes "
                               "the callout's flow contexts and tries again, for as long as it gets that status.",
                               ("wfp-busy-recovery", "wfp-device-busy-is-warning"))
                self.remove_contexts((i,), "wfp-busy-recovery")
                self.after_removal()
                self.unregister(i, again=True)
                continue
            if sc.retries_on_failure:
                self.other_failure(i, result)
                continue
            left = sum(self.registered)
            self.by_driver(Kind.ACTION, "gives up at the first failure",
                           "The result is checked but there is no recovery: like msnmntr's helper it stops here and "
                           f"leaves {plural(left, 'callout')} registered.",
                           ("wfp-sample-stop-at-first-failure", "wfp-device-busy-is-warning"), mark=Mark.FAILED)
            break
        if sc.unregister_at_apc_level:
            self.by_driver(Kind.ACTION, "ExReleaseFastMutex(&ConfigLock)", "Back at PASSIVE_LEVEL.",
                           ("wfp-unregister-passive-level",))
        self.latent_flaws(failed)
        if self.filters and not all(self.registered):
            self.filters_outlive_callouts()

    def other_failure(self, i: int, result: str) -> None:
        """A failed unregister whose status has no documented recovery: the driver notes the callout
        as left and goes on with the next one."""
        unknown = (" Which status it is is not documented either, so neither is whether the loop, which retries "
                   "only on STATUS_DEVICE_BUSY, tries again; the model takes it as another failure."
                   if result == NOT_DOCUMENTED else "")
        self.by_driver(Kind.NOTE, f"callout {i} left registered: no documented way on",
                       "The status is not STATUS_DEVICE_BUSY, the one failure the pages give a recovery for. What an "
                       f"unload function can do now is not documented; this one notes callout {i} as left and goes "
                       "on." + unknown, ("wfp-silent-unregister-failure",), mark=Mark.SILENT)

    def latent_flaws(self, failed: bool) -> None:
        """A flaw of the unregistering code that did not bite this time, so the trace still names it."""
        sc = self.sc
        if sc.remove_flow_contexts is not ContextRemoval.NONE and not self.said_no_wait \
                and not sc.waits_for_flow_deletes:
            self.after_removal()   # its retry never ran, but its code does not wait either
        if failed:
            return
        if not sc.check_unregister_result:
            self.by_driver(Kind.NOTE, "unregister results never checked",
                           "No call failed this time, but the function never looks at what "
                           "FwpsCalloutUnregisterById0 returns: a failure would go unnoticed and the image would go "
                           "with that callout registered.", ("wfp-sample-ignores-result",))
        elif not sc.retries_on_failure:
            self.by_driver(Kind.NOTE, "no recovery from a failed unregister",
                           "No call failed this time, but on a failure this loop would stop and leave the remaining "
                           "callouts registered.", ("wfp-sample-stop-at-first-failure",))

    def filters_outlive_callouts(self) -> None:
        """Filters still name unregistered callouts: the engine blocks, or permits with the flag."""
        sc = self.sc
        later = sc.filters is FilterRemoval.AFTER_UNREGISTER
        until = " until the session is closed" if later else " from now on"
        if sc.permit_if_unregistered:
            self.by_engine(Kind.NOTE, "filters outlive their callouts: traffic permitted",
                           "Its filters still name the unregistered callouts; with "
                           f"FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED they act as PERMIT{until}.",
                           ("wfp-filters-after-unregister", "wfp-permit-if-unregistered"))
        else:
            self.by_engine(Kind.NOTE, "filters outlive their callouts: traffic blocked",
                           "Its terminating filters still name the unregistered callouts, so they act as "
                           f"BLOCK{until}: the traffic they match is dropped.",
                           ("wfp-filters-after-unregister", "wfp-fail-closed-observed"), mark=Mark.FAILED)

    def unregister(self, i: int, again: bool) -> str:
        """One FwpsCalloutUnregisterById0 call and its result, which is recorded and returned."""
        sc = self.sc
        if again:
            self.by_driver(Kind.CALL, f"FwpsCalloutUnregisterById0(CalloutIds[{i}])",
                           f"Unregisters callout {i} again, now that its contexts are removed.",
                           ("wfp-busy-recovery", "wfp-unregister-by-id"), Actor.FILTER_ENGINE)
        else:
            self.by_driver(Kind.CALL, f"FwpsCalloutUnregisterById0(CalloutIds[{i}])", f"Unregisters callout {i}.",
                           ("wfp-unregister-by-id",), Actor.FILTER_ENGINE)
        ignored = not sc.check_unregister_result
        final = ignored or again or not sc.retries_on_failure   # no recovery follows a failure here
        fail_mark = Mark.IGNORED if ignored else (Mark.FAILED if final else None)
        ignored_rule = ("wfp-sample-ignores-result",) if ignored else ()
        returns = "FwpsCalloutUnregisterById0 returns"
        if sc.unregister_at_apc_level:
            result = STATUS_NOT_SUPPORTED
            self.by_engine(Kind.RETURN, returns, "Called at APC_LEVEL, where the routine is not allowed: it "
                           "returns STATUS_NOT_SUPPORTED at once (observed in a debugger) and the callout stays "
                           "registered.",
                           ("wfp-unregister-passive-level", "wfp-unregister-at-apc-fails", *ignored_rule),
                           Actor.CALLOUT_DRIVER, result, Mark.IGNORED if ignored else Mark.FAILED)
        elif i == 0 and self.classify_running:
            result = NOT_DOCUMENTED
            self.by_engine(Kind.RETURN, returns, "A classifyFn of this callout is still running: an engineer "
                           "of the eBPF for Windows team reports that unregistering then fails, so the callout stays registered and "
                           "the model counts it a failure; which status comes back is not documented.",
                           ("wfp-drain-before-unregister", "wfp-silent-classify-unregister-status", *ignored_rule),
                           Actor.CALLOUT_DRIVER, result, Mark.SILENT)
        elif i == 0 and not again and sc.concurrent_registration:
            result = IN_USE
            self.by_engine(Kind.RETURN, returns, "Another thread is registering or unregistering this same callout "
                           "at this moment, so the call fails with STATUS_FWP_IN_USE and the callout stays registered "
                           "as far as this call goes; what the other thread's call leaves, and what to do now, is "
                           "not documented.", ("wfp-unregister-in-use", "wfp-silent-in-use-recovery", *ignored_rule),
                           Actor.CALLOUT_DRIVER, result, Mark.IGNORED if ignored else Mark.FAILED)
        elif self.contexts[i]:
            result = BUSY
            n = self.contexts[i]
            why = (f"{plural(n, 'flow')} this callout processed still {'carries' if n == 1 else 'carry'} a "
                   "context, so it stays registered")
            why += "; the driver never looks at the result (like the inspect sample)." if ignored else "."
            self.by_engine(Kind.RETURN, returns, why, ("wfp-unregister-busy", "wfp-device-busy-is-warning",
                                                         *ignored_rule), Actor.CALLOUT_DRIVER, result, fail_mark)
        elif self.pending[i]:
            result = NOT_DOCUMENTED
            self.by_engine(Kind.RETURN, returns, "flowDeleteFn has not yet run for this callout's removed "
                           "contexts; what the call returns then is not documented. The model carries on as if the "
                           "callout was unregistered.",
                           ("wfp-silent-pending-unregister",), Actor.CALLOUT_DRIVER, result, Mark.SILENT)
            self.registered[i] = False
            self.finish_pending(i)
        else:
            result = SUCCESS.label
            self.by_engine(Kind.RETURN, returns, "No flow of this callout carries a context: it is unregistered.",
                           ("wfp-unregister-success",), Actor.CALLOUT_DRIVER, result)
            self.registered[i] = False
        self.unregister_results.append(result)
        return result

    def finish_pending(self, i: int) -> None:
        """The deferred flowDeleteFn calls for callout i; when they come is not documented."""
        n, self.pending[i] = self.pending[i], 0
        self.flow_delete_calls += n
        self.by_engine(Kind.CALL, f"flowDeleteFn(LayerId, CalloutId, FlowContext) x {n}",
                       "The classify in progress finishes and the engine calls flowDeleteFn for the removed "
                       "contexts; the model lets that happen now, though when it happens is not documented.",
                       ("wfp-flow-delete-fn", "wfp-flow-remove-context", "wfp-silent-pending-unregister"),
                       Actor.CALLOUT_DRIVER,
                       mark=Mark.SILENT)
