"""Rules that hold for any driver service, whichever family: NTSTATUS severities and the
service control manager's path to NtUnloadDriver. Both families cite them.
"""
from __future__ import annotations

from .sources import SEED_WHEN, D, F, M, Q, Rule, Source, fact, open_question
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
       "what 'sc stop' prints on success, or while the unload hangs, is not covered here.", open_question(8),
       open_question(9)),
    # --- the stop as it really goes (domain-facts section 10, #64-#68) ------------------------------
    _r("service-stop-access", D, "Stopping a service needs a handle with SERVICE_STOP access, else the SCM "
       "refuses with ERROR_ACCESS_DENIED (5); a service's default security grants it to LocalSystem and "
       "administrators, not to other local users.", fact(64), fact(2)),
    _r("dependent-services-running", D, "The SCM does not pass a stop on to a service that other running "
       "services depend on: ControlService fails with ERROR_DEPENDENT_SERVICES_RUNNING (1051) and the "
       "dependents must be stopped first.", fact(65), fact(2)),
    _r("silent-net-stop-dependents", Q, "How 'net stop' treats running dependent services (whether it asks to "
       "stop them first, and in which words) is not covered by our sources.", fact(65)),
    _r("unload-pending", D, "While a driver's device object is still referenced (a handle is open), the I/O "
       "manager marks the driver Unload Pending and calls its Unload routine only once no reference "
       "remains.", fact(66), fact(5)),
    _r("unload-pending-returns", M, "ReactOS's IopUnloadDriver returns STATUS_SUCCESS without unloading a "
       "driver whose device objects are still referenced; the image stays loaded.", fact(5, 66)),
    _r("unload-pending-scm-state", M, "After NtUnloadDriver succeeds, ReactOS's SCM records the driver service "
       "as STOPPED even if the image stays; WinDivert#406 (a second 'sc stop' answered with 1062 while the "
       "driver is still there) fits that.", fact(66),
       Source("ReactOS SCM, ScmControlDriver (domain-facts #66)",
              "https://github.com/reactos/reactos/blob/master/base/system/services/driver.c"),
       Source("basil00/WinDivert#406 (domain-facts #66)", "https://github.com/basil00/WinDivert/issues/406")),
    _r("silent-unload-pending-query", Q, "What 'sc query' shows for a driver left unload pending is not "
       "documented (Microsoft's SCM source is not public).", fact(66), open_question(9)),
    _r("failed-load-io-manager", D, "After a failed DriverEntry it is the I/O manager that frees the driver's "
       "image; no unload routine runs.", fact(66, 9)),
    _r("shutdown-needs-registration", D, "A driver gets IRP_MJ_SHUTDOWN for a device object only if it "
       "registered it with IoRegisterShutdownNotification (before file systems are flushed) or "
       "IoRegisterLastChanceShutdownNotification (after); Unload is never called at shutdown.", fact(67, 66)),
    _r("fast-startup-hibernates", D, "With Fast Startup, 'Shut down' is a hybrid shutdown: applications close "
       "and users log off, then the kernel image with its loaded drivers is saved to Hiberfil.sys and "
       "restored at the next start instead of being loaded afresh.", fact(68)),
    # --- sc delete: uninstalling a driver (domain-facts #84, U1) -----------------------------------
    _r("delete-service-marks", D, "DeleteService (sc delete) marks a service for deletion; the SCM removes its entry "
       "only once every handle to it is closed and it is not running.", fact(84)),
    _r("delete-service-at-restart", D, "A service that cannot be stopped is removed when the system restarts; "
       "marking it also sets its Start to SERVICE_DISABLED (the SCM protocol).", fact(84),
       Source("RDeleteService (MS-SCMR 3.1.4.3)", "https://learn.microsoft.com/openspecs/windows_protocols/ms-scmr/"
              "6744cdb8-f162-4be0-bb31-98996b6495be")),
    _r("delete-service-1072", D, "DeleteService on a service already marked for deletion fails with "
       "ERROR_SERVICE_MARKED_FOR_DELETE (1072).", fact(84)),
    _r("sc-delete-1072-output", F, "'sc delete' then prints '[SC] DeleteService FAILED 1072:' and 'The specified "
       "service has been marked for deletion.'", fact(84),
       Source("Flowseal/zapret-discord-youtube#207 (domain-facts U1)",
              "https://github.com/Flowseal/zapret-discord-youtube/issues/207")),
    _r("silent-marked-other-calls", Q, "Which other calls (CreateService of the same name, OpenService, "
       "ControlService) return 1072 while a service is marked for deletion is not documented.", fact(84)),
    _r("silent-delete-after-removal", Q, "What a second 'sc delete' gets once the service entry is gone is not "
       "covered by our sources.", fact(84)),
    _r("silent-uninstaller-reboot", Q, "DiUninstallDevice and DiUninstallDriver report that a restart is needed "
       "(NeedReboot), but which driver behaviour sets it is not documented; the lab shows the documented case it "
       "knows: a service deleted while its driver stays loaded goes at the next restart.", fact(84),
       Source("DiUninstallDevice function (domain-facts U2)",
              "https://learn.microsoft.com/windows/win32/api/newdev/nf-newdev-diuninstalldevice")),
    # --- a direct NtUnloadDriver, without the SCM (domain-facts #85, U3) ------------------------------
    _r("ntunload-direct", D, "A loader tool can call NtUnloadDriver (ZwUnloadDriver in kernel mode) with the "
       "service's registry path itself; it returns STATUS_SUCCESS or an error NTSTATUS such as "
       "STATUS_INVALID_DEVICE_REQUEST. A file-system filter should use it for debugging only; a minifilter "
       "should be unloaded with FltUnloadFilter instead.", fact(85), fact(4)),
    _r("ntunload-no-scm", M, "Called directly, NtUnloadDriver involves no service control manager: no SERVICE_STOP "
       "check, no check of dependent services, no translation of the NTSTATUS into a Win32 error such as 1052; "
       "ReactOS's IopUnloadDriver checks only what the kernel knows.", fact(85, 5)),
    _r("ntunload-privilege", M, "NtUnloadDriver first checks that the caller holds SeLoadDriverPrivilege, and fails "
       "with STATUS_PRIVILEGE_NOT_HELD otherwise (ReactOS's IopUnloadDriver; no Microsoft page names the "
       "status).", fact(5, 85)),
    _r("ntunload-no-driver-object", M, "When no driver object of that name exists (the driver is not loaded), "
       "NtUnloadDriver fails with the lookup's error, such as STATUS_OBJECT_NAME_NOT_FOUND (ReactOS's "
       "IopUnloadDriver).", fact(5, 85)),
    _r("silent-fast-startup-shutdown", Q, "Whether drivers, or a minifilter's IRP_MJ_SHUTDOWN pre-operation, "
       "get a shutdown request during a hybrid (Fast Startup) shutdown is not documented.", fact(68)),
)
