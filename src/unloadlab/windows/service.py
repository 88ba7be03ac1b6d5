"""The service control manager's side of an unload, shared by both driver families:
the Win32 errors a stop request can end in, and the names of the requests.

A driver service is stopped the same way whatever the driver is: ``sc stop``,
``net stop`` or ControlService(SERVICE_CONTROL_STOP) reach the SCM, which calls
NtUnloadDriver (rules scm-ntunloaddriver, mandatory-triggers). The filter manager's own
requests (FilterUnload, FltUnloadFilter, ``fltmc unload``) exist for minifilters only.
"""
from __future__ import annotations

__all__ = [
    "ERROR_INVALID_SERVICE_CONTROL", "ERROR_SERVICE_NOT_ACTIVE", "WIN32_MESSAGE_TEXT",
    "SC_STOP", "NET_STOP", "CONTROL_SERVICE", "SHUTDOWN", "SERVICE_STOPS", "FILTER_MANAGER_REQUESTS",
]

# Win32 errors (winerror.h) and the message texts the facts record (domain-facts #4, #14).
ERROR_INVALID_SERVICE_CONTROL = 1052
ERROR_SERVICE_NOT_ACTIVE = 1062
WIN32_MESSAGE_TEXT = {
    ERROR_INVALID_SERVICE_CONTROL: "The requested control is not valid for this service.",
}

# Request names, as the CLI and the scenarios spell them.
SC_STOP, NET_STOP, CONTROL_SERVICE, SHUTDOWN = "sc-stop", "net-stop", "ControlService", "shutdown"
SERVICE_STOPS = (SC_STOP, NET_STOP, CONTROL_SERVICE)
FILTER_MANAGER_REQUESTS = ("FilterUnload", "FltUnloadFilter", "fltmc-unload")
