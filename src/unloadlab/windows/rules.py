"""Rules that hold for any driver service, whichever family: NTSTATUS severities and the
service control manager's path to NtUnloadDriver. Both families cite them.
"""
from __future__ import annotations

from .sources import SEED_WHEN, D, F, M, Q, Rule, fact, open_question
from .sources import define as _r

__all__ = ["WINDOWS_RULES"]

WINDOWS_RULES: tuple[Rule, ...] = (
    _r("mandatory-triggers", D, "A service stop ('sc stop', 'net stop', ControlService with "
       "SERVICE_CONTROL_STOP) requests a mandatory unload.", SEED_WHEN, fact(2)),
    _r("ntstatus-severity", D, "An NTSTATUS's top two bits give its severity; NT_SUCCESS holds for success "
       "and informational values only.", fact(48)),
    _r("scm-ntunloaddriver", M, "For a driver service, the SCM enables SeLoadDriverPrivilege itself and "
       "calls NtUnloadDriver with the service's registry path.", fact(2)),
    _r("service-not-active", D, "ControlService fails with ERROR_SERVICE_NOT_ACTIVE (1062) when the service "
       "is not running.", fact(2)),
    _r("null-driverunload", D, "NtUnloadDriver refuses a driver whose DriverUnload is NULL with "
       "STATUS_INVALID_DEVICE_REQUEST; the image stays loaded.", fact(4, 35)),
    _r("sc-stop-1052", F, "'sc stop' on a driver that cannot be stopped reports "
       "'[SC] ControlService FAILED 1052' (ERROR_INVALID_SERVICE_CONTROL).", fact(4)),
    _r("unload-in-system-thread", M, "The I/O manager calls DriverUnload in a system worker thread, then "
       "unloads the image.", fact(5)),
    _r("silent-sc-output", Q, "Microsoft's SCM source is not public: 1052 is observed, not documented, and "
       "what 'sc stop' prints on success is not covered here.", open_question(8)),
)
