"""How to confirm a cause on a real machine: the commands scenario diagnoses name, each with
what to look at. One wording per command, so every diagnosis says it the same way.

Sources: `!fltkd.filter` (domain-facts #51, #55), `!stacks` (#56, #56a), `!analyze -v` and
`!verifier 3` (#60, #61a); the other commands are the standard Windows tools.
"""
from __future__ import annotations

__all__ = [
    "SC_QUERY", "FLTMC_FILTERS", "FLTMC_INSTANCES", "FLTKD_FILTER", "STACKS_UNREGISTER", "STACKS_SEND_MESSAGE",
    "ANALYZE", "VERIFIER_QUERY", "VERIFIER_POOL", "NETSH_FILTERS", "NETSH_STATE", "BREAK_ON_UNLOAD",
]

SC_QUERY = "sc query <service>: the STATE the service control manager reports after the request"
FLTMC_FILTERS = "fltmc filters: whether the filter is still listed, and on how many instances"
FLTMC_INSTANCES = "fltmc instances: the volumes it is still attached to"
FLTKD_FILTER = "!fltkd.filter <FLT_FILTER address> 8 1: the filter's state and the references it still holds"
STACKS_UNREGISTER = "!stacks 2 FltUnregisterFilter: the thread waiting inside the unload, and on what"
STACKS_SEND_MESSAGE = "!stacks 2 FltSendMessage: the unload routine waiting for a reply"
ANALYZE = "!analyze -v on the dump: the bug check, its parameters and the driver named at fault"
VERIFIER_QUERY = "verifier /query: whether Driver Verifier watches the driver, and with which checks"
VERIFIER_POOL = "!verifier 3 <driver>.sys: the allocations the driver never freed"
NETSH_FILTERS = "netsh wfp show filters: the driver's filters still in the engine"
NETSH_STATE = "netsh wfp show state: the callouts still registered with the filter engine"
BREAK_ON_UNLOAD = "bp <driver>!<unload routine> in a kernel debugger, then the request: whether it is ever hit"
