"""NTSTATUS values: names, severity, NT_SUCCESS, parsing, and the HRESULT a user-mode
caller of the filter manager sees.

A status is a 32-bit value. Its top two bits are the severity (00 success,
01 informational, 10 warning, 11 error) and ``NT_SUCCESS`` is true exactly when the
value, read as a signed 32-bit integer, is not negative (domain-facts #48).
"""
from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass

__all__ = [
    "Severity", "NtStatus", "StatusError", "KNOWN_STATUSES", "parse_status",
    "status", "SUCCESS", "hresult_for_user_mode", "FACILITY_FILTER_MANAGER", "FACILITY_WFP",
    "MEANINGS", "MEANINGS_SOURCE", "FWP_USER_MODE", "FWP_USER_MODE_SOURCE", "flt_status_for_hresult",
]

FACILITY_FILTER_MANAGER = 0x1C
FACILITY_WFP = 0x22
FACILITY_USERMODE_FILTER_MANAGER = 0x1F

# Every status in the constants table of domain-facts.md (values from ntstatus.h).
KNOWN_STATUSES: dict[str, int] = {
    "STATUS_SUCCESS": 0x00000000,
    "STATUS_PENDING": 0x00000103,
    "STATUS_OBJECT_NAME_EXISTS": 0x40000000,
    "STATUS_DEVICE_BUSY": 0x80000011,
    "STATUS_UNSUCCESSFUL": 0xC0000001,
    "STATUS_INVALID_PARAMETER": 0xC000000D,
    "STATUS_INVALID_DEVICE_REQUEST": 0xC0000010,
    "STATUS_ACCESS_DENIED": 0xC0000022,
    "STATUS_OBJECT_NAME_NOT_FOUND": 0xC0000034,
    "STATUS_DELETE_PENDING": 0xC0000056,
    "STATUS_PRIVILEGE_NOT_HELD": 0xC0000061,
    "STATUS_INSUFFICIENT_RESOURCES": 0xC000009A,
    "STATUS_NOT_SUPPORTED": 0xC00000BB,     # what FwpsCalloutUnregisterById0 gave at APC_LEVEL (domain-facts #76)
    "STATUS_FLT_NOT_INITIALIZED": 0xC01C0007,
    "STATUS_FLT_DELETING_OBJECT": 0xC01C000B,
    "STATUS_FLT_DO_NOT_ATTACH": 0xC01C000F,
    "STATUS_FLT_DO_NOT_DETACH": 0xC01C0010,
    "STATUS_FLT_FILTER_NOT_FOUND": 0xC01C0013,
    "STATUS_FLT_INSTANCE_NOT_FOUND": 0xC01C0015,
    "STATUS_FWP_CALLOUT_NOT_FOUND": 0xC0220001,
    "STATUS_FWP_IN_USE": 0xC022000A,
}
_NAME_OF = {code: name for name, code in KNOWN_STATUSES.items()}

# What each known status means, in our words (paraphrasing MS-ERREF's NTSTATUS table, MEANINGS_SOURCE).
MEANINGS: dict[str, str] = {
    "STATUS_SUCCESS": "the operation completed successfully",
    "STATUS_PENDING": "the operation has not finished; it completes later",
    "STATUS_OBJECT_NAME_EXISTS": "an object with that name already existed (informational: still a success)",
    "STATUS_DEVICE_BUSY": "the device is busy (a warning: NT_SUCCESS is false, yet it is not an error)",
    "STATUS_UNSUCCESSFUL": "the request failed, with no more precise reason",
    "STATUS_INVALID_PARAMETER": "a parameter is not valid",
    "STATUS_INVALID_DEVICE_REQUEST": "the request is not valid for this device; NtUnloadDriver returns it for a "
                                     "driver that cannot be unloaded",
    "STATUS_ACCESS_DENIED": "the caller lacks the access the request needs",
    "STATUS_OBJECT_NAME_NOT_FOUND": "no object has that name",
    "STATUS_DELETE_PENDING": "the object is already being deleted",
    "STATUS_PRIVILEGE_NOT_HELD": "the caller does not hold a privilege the request needs",
    "STATUS_INSUFFICIENT_RESOURCES": "not enough system resources (such as memory) to finish the request",
    "STATUS_NOT_SUPPORTED": "the request is not supported",
    "STATUS_FLT_NOT_INITIALIZED": "the filter has not finished initializing",
    "STATUS_FLT_DELETING_OBJECT": "the filter-manager object is being torn down",
    "STATUS_FLT_DO_NOT_ATTACH": "do not attach the filter to the volume at this time",
    "STATUS_FLT_DO_NOT_DETACH": "do not detach the filter from the volume at this time",
    "STATUS_FLT_FILTER_NOT_FOUND": "no registered filter has that name",
    "STATUS_FLT_INSTANCE_NOT_FOUND": "the filter instance was not found",
    "STATUS_FWP_CALLOUT_NOT_FOUND": "the callout does not exist",
    "STATUS_FWP_IN_USE": "the object is referenced by other objects (or in use by another thread), so the call "
                         "cannot complete",
}
MEANINGS_SOURCE = ("https://learn.microsoft.com/openspecs/windows_protocols/ms-erref/"
                   "596a1078-e883-4972-9bbc-49e60bebca55")

# The user-mode (Fwpm*) HRESULTs of the WFP statuses: name -> (HRESULT, the kernel status of the same name).
FWP_USER_MODE: dict[str, tuple[int, str]] = {
    "FWP_E_CALLOUT_NOT_FOUND": (0x80320001, "STATUS_FWP_CALLOUT_NOT_FOUND"),
    "FWP_E_IN_USE": (0x8032000A, "STATUS_FWP_IN_USE"),
}
FWP_USER_MODE_SOURCE = "https://learn.microsoft.com/windows/win32/fwp/wfp-error-codes"

# Non-filter-manager statuses whose user-mode HRESULT the facts give, both marked
# there as inference, not documentation (domain-facts #4, #13, open question 3).
_INFERRED_HRESULTS = {
    0xC0000061: 0x80070522,  # HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD = 1314)
    0xC0000010: 0x80070001,  # HRESULT_FROM_WIN32(ERROR_INVALID_FUNCTION = 1)
}

_HEX = re.compile(r"0[xX]([0-9a-fA-F]+)")
_ACCEPTED = "a status name such as STATUS_FLT_DO_NOT_DETACH or a 0x-hex code such as 0xC01C0010"


class StatusError(ValueError):
    """A value that is not an NTSTATUS; the message names it and what is accepted."""


class Severity(enum.Enum):
    """The top two bits of an NTSTATUS."""

    SUCCESS = "success"
    INFORMATIONAL = "informational"
    WARNING = "warning"
    ERROR = "error"


_SEVERITIES = (Severity.SUCCESS, Severity.INFORMATIONAL, Severity.WARNING, Severity.ERROR)


@dataclass(frozen=True, slots=True)
class NtStatus:
    """A 32-bit NTSTATUS value."""

    code: int

    def __post_init__(self) -> None:
        if isinstance(self.code, bool) or not isinstance(self.code, int):
            raise StatusError(f"NTSTATUS code must be an int, got {type(self.code).__name__}")
        if not 0 <= self.code <= 0xFFFFFFFF:
            raise StatusError(f"NTSTATUS code {self.code} is outside 0..0xFFFFFFFF")

    @property
    def name(self) -> str | None:
        """The symbolic name when it is one this lab knows, else None."""
        return _NAME_OF.get(self.code)

    @property
    def hex(self) -> str:
        return f"0x{self.code:08X}"

    @property
    def severity(self) -> Severity:
        return _SEVERITIES[self.code >> 30]

    @property
    def nt_success(self) -> bool:
        """NT_SUCCESS: success or informational (the signed value is not negative)."""
        return self.code < 0x80000000

    @property
    def nt_information(self) -> bool:
        """NT_INFORMATION: the severity bits are 01."""
        return self.code >> 30 == 1

    @property
    def nt_warning(self) -> bool:
        """NT_WARNING: the severity bits are 10 (NT_SUCCESS is false, NT_ERROR too)."""
        return self.code >> 30 == 2

    @property
    def nt_error(self) -> bool:
        """NT_ERROR: the severity bits are 11; a warning is not an error."""
        return self.code >> 30 == 3

    @property
    def facility(self) -> int:
        return (self.code >> 16) & 0x0FFF

    @property
    def label(self) -> str:
        """The name when known, else the hex code."""
        return self.name or self.hex

    def describe(self) -> str:
        """e.g. 'STATUS_FLT_DO_NOT_DETACH (0xC01C0010, error)'."""
        return _describe(self.code)

    def __str__(self) -> str:
        return self.label


@functools.lru_cache(maxsize=1024)
def _describe(code: int) -> str:
    st = NtStatus(code)
    head = f"{st.name} ({st.hex}, " if st.name else f"{st.hex} ("
    return f"{head}{st.severity.value})"


def parse_status(value: object) -> NtStatus:
    """Turn a name, a '0x' hex string, an int or an NtStatus into an NtStatus.

    Raises StatusError naming the bad value and what is accepted.
    """
    if isinstance(value, NtStatus):
        return value
    if isinstance(value, bool):
        raise StatusError(f"NTSTATUS must be {_ACCEPTED}, not the bool {value!r}")
    if isinstance(value, int):
        return NtStatus(value)
    if not isinstance(value, str):
        raise StatusError(f"NTSTATUS must be {_ACCEPTED}, not a {type(value).__name__}")
    text = value.strip()
    if text in KNOWN_STATUSES:
        return NtStatus(KNOWN_STATUSES[text])
    match = _HEX.fullmatch(text)
    if match:
        code = int(match.group(1), 16)
        if code > 0xFFFFFFFF:
            raise StatusError(f"NTSTATUS {value!r} does not fit in 32 bits (at most 0xFFFFFFFF)")
        return NtStatus(code)
    if text.upper() in KNOWN_STATUSES:
        raise StatusError(f"unknown NTSTATUS name {value!r}; names are upper case, e.g. {text.upper()}")
    if text.startswith("-"):
        raise StatusError(f"NTSTATUS {value!r} is negative; give the 32-bit code as 0x-hex, e.g. 0xC01C0010")
    if text.upper().startswith("STATUS_"):
        raise StatusError(f"unknown NTSTATUS name {value!r}; known names: {', '.join(KNOWN_STATUSES)}; or give 0x-hex")
    raise StatusError(f"not an NTSTATUS: {value!r}; expected {_ACCEPTED}")


def status(name: str) -> NtStatus:
    """Shorthand for a known status by name."""
    return NtStatus(KNOWN_STATUSES[name])


SUCCESS = status("STATUS_SUCCESS")   # both families' success; a step or a result records its label


def hresult_for_user_mode(st: NtStatus) -> tuple[int | None, bool]:
    """The HRESULT FilterUnload returns for a filter-manager status: (value, documented).

    Success maps to S_OK. A filter-manager status keeps its severity bit and code and
    takes facility 0x1F (FILTER_HRESULT_FROM_FLT_NTSTATUS, domain-facts #13). For two
    other statuses the facts give an inferred value (documented=False); for the rest
    the documentation is silent and the value is None.
    """
    if st.nt_success:
        return 0, True
    if st.facility == FACILITY_FILTER_MANAGER:
        return (st.code & 0x8000FFFF) | (FACILITY_USERMODE_FILTER_MANAGER << 16), True
    return _INFERRED_HRESULTS.get(st.code), False


def flt_status_for_hresult(hresult: int) -> NtStatus | None:
    """The filter-manager status behind a facility-0x1F HRESULT (the inverse of the mapping
    above: 0x801F0010 -> STATUS_FLT_DO_NOT_DETACH), else None."""
    if hresult >> 16 != 0x8000 | FACILITY_USERMODE_FILTER_MANAGER:
        return None
    return NtStatus(0xC0000000 | FACILITY_FILTER_MANAGER << 16 | hresult & 0xFFFF)
