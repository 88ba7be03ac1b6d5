"""The bug checks an unload can end in: code, name, meaning, parameter 1 values, source.

The models name a bug check in a trace's ``bugcheck`` state as ``0xCE NAME``; this table is
what ``unloadlab why`` decodes a pasted code or name with (domain-facts #60-#61b).
"""
from types import MappingProxyType
from typing import Mapping, NamedTuple

__all__ = ["BugCheck", "BUG_CHECKS", "BY_NAME"]

_DEBUGGER = "https://learn.microsoft.com/windows-hardware/drivers/debugger/"


class BugCheck(NamedTuple):
    code: int
    name: str
    meaning: str                                              # in our words
    source: str
    parameter_1: Mapping[int, str] = MappingProxyType({})   # parameter 1 values the lab knows

    @property
    def hex(self) -> str:
        return f"0x{self.code:X}"


BUG_CHECKS: dict[int, BugCheck] = {b.code: b for b in (
    BugCheck(0xC4, "DRIVER_VERIFIER_DETECTED_VIOLATION",
             "Driver Verifier caught a driver breaking a rule; parameter 1 says which",
             _DEBUGGER + "bug-check-0xc4--driver-verifier-detected-violation",
             {0x62: "the driver is unloading without first freeing its pool allocations (Pool Tracking on); "
                    "parameter 4 counts the allocations not freed"}),
    BugCheck(0xC7, "TIMER_OR_DPC_INVALID",
             "a timer or DPC was found in memory being freed, such as an unloaded driver's image",
             _DEBUGGER + "bug-check-0xc7--timer-or-dpc-invalid"),
    BugCheck(0xCE, "DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS",
             "a driver unloaded without cancelling work that still points into it (lookaside lists, DPCs, "
             "worker threads and the like), and that work then ran",
             _DEBUGGER + "bug-check-0xce--driver-unloaded-without-cancelling-pending-operations"),
    BugCheck(0xD4, "SYSTEM_SCAN_AT_RAISED_IRQL_CAUGHT_IMPROPER_DRIVER_UNLOAD",
             "0xCE's cause, caught at a raised IRQL: a driver unloaded without cancelling pending work, and "
             "the system then touched its former code",
             _DEBUGGER + "bug-check-0xd4--system-scan-at-raised-irql-caught-improper-driver-unlo"),
    BugCheck(0xF5, "FLTMGR_FILE_SYSTEM",
             "the filter manager detected an unrecoverable failure; parameter 1 says which",
             _DEBUGGER + "bug-check-0xf5--fltmgr-file-system"),
)}
BY_NAME: dict[str, BugCheck] = {b.name: b for b in BUG_CHECKS.values()}
