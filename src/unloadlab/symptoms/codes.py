"""Codes in what an engineer pastes or a trace shows: Win32 errors, NTSTATUS values, the
HRESULTs user mode sees, bug checks. Each becomes a ``Code`` whose ``key`` names the
symptom in the index, so a pasted line and a trace's line meet at the same key.

The tables are the shared base's (``windows.ntstatus``, ``windows.service``,
``windows.bugcheck``); this module only reads text.
"""
import functools
import re
from typing import NamedTuple

from ..windows.bugcheck import BUG_CHECKS
from ..windows.bugcheck import BY_NAME as BUG_CHECK_NAMES
from ..windows.ntstatus import FWP_USER_MODE, KNOWN_STATUSES, MEANINGS, NtStatus, flt_status_for_hresult
from ..windows.service import WIN32_ERRORS

__all__ = ["Code", "UnknownCode", "find_code", "codes_in"]

WIN32, NTSTATUS, HRESULT, BUGCHECK = "Win32 error", "NTSTATUS", "HRESULT", "bug check"
_WIN32_BY_NAME = {name: code for code, (name, _) in WIN32_ERRORS.items()}
_FWP_BY_VALUE = {hr: name for name, (hr, _) in FWP_USER_MODE.items()}
_TOKEN = re.compile(r"0x[0-9a-f]+|\d+|[a-z][a-z0-9_]*", re.I)


class Code(NamedTuple):
    """A decoded code: ``key`` is the symptom it stands for in the index."""

    kind: str
    code: str          # as engineers write it: 1052, 0xC0000010, 0x801F0010, 0xCE
    name: str
    meaning: str
    key: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "code": self.code, "name": self.name, "meaning": self.meaning}


class UnknownCode(ValueError):
    """Something shaped like a code that no table here knows; the message names it."""


def _win32(number: int) -> Code:
    name, meaning = WIN32_ERRORS[number]
    return Code(WIN32, str(number), name, meaning, f"win32:{number}")


def _ntstatus(st: NtStatus) -> Code:
    if st.code == 0:
        return Code(NTSTATUS, st.hex, st.name, MEANINGS[st.name], "success")
    meaning = f"{MEANINGS[st.name]} ({st.severity.value}, facility 0x{st.facility:X})"
    return Code(NTSTATUS, st.hex, st.name, meaning, f"ntstatus:{st.name}")


def _bugcheck(number: int, parameter: int | None) -> Code:
    bc = BUG_CHECKS[number]
    if parameter is None or not bc.parameter_1:    # 0xCE's parameter 1 is an address: nothing to refine
        return Code(BUGCHECK, bc.hex, bc.name, bc.meaning, f"bugcheck:{bc.hex}")
    if parameter not in bc.parameter_1:
        known = ", ".join(f"0x{p:X}" for p in bc.parameter_1) or "none"
        raise UnknownCode(f"bug check {bc.hex} ({bc.name}) with parameter 1 = 0x{parameter:X} is not one the lab "
                          f"knows (parameter 1 values it knows: {known})")
    return Code(BUGCHECK, f"{bc.hex} (parameter 1 = 0x{parameter:X})", bc.name,
                f"{bc.meaning}; 0x{parameter:X}: {bc.parameter_1[parameter]}", f"bugcheck:{bc.hex}/0x{parameter:X}")


def _hresult(value: int) -> Code | None:
    if value >> 16 == 0x8007 and value & 0xFFFF in WIN32_ERRORS:    # HRESULT_FROM_WIN32
        win = _win32(value & 0xFFFF)
        return Code(HRESULT, f"0x{value:08X}", win.name, f"HRESULT_FROM_WIN32({win.code}): {win.meaning}", win.key)
    if value in _FWP_BY_VALUE:
        name = _FWP_BY_VALUE[value]
        kernel = FWP_USER_MODE[name][1]
        return Code(HRESULT, f"0x{value:08X}", name, f"user mode's {kernel}: {MEANINGS[kernel]}",
                    f"ntstatus:{kernel}")
    flt = flt_status_for_hresult(value)
    if flt is not None and flt.name:
        return Code(HRESULT, f"0x{value:08X}", flt.name.replace("STATUS_", "ERROR_", 1),
                    f"user mode's {flt.name} (facility 0x1F, the filter manager): {MEANINGS[flt.name]}",
                    f"hresult:0x{value:08X}")
    return None


def _hex(value: int, parameter: int | None) -> Code:
    if value in BUG_CHECKS:
        return _bugcheck(value, parameter)
    if value == 0:
        return Code(HRESULT, "0x00000000", "S_OK / STATUS_SUCCESS", "success", "success")
    code = _hresult(value) if value & 0x80000000 else None
    if code is None and value in KNOWN_STATUSES.values():
        code = _ntstatus(NtStatus(value))
    if code is None:
        raise UnknownCode(f"0x{value:X} is not a Win32 error, NTSTATUS, HRESULT or bug check the lab knows")
    return code


def _name(word: str, parameter: int | None) -> Code | None:
    upper = word.upper()
    if upper in KNOWN_STATUSES:
        return _ntstatus(NtStatus(KNOWN_STATUSES[upper]))
    if upper in _WIN32_BY_NAME:
        return _win32(_WIN32_BY_NAME[upper])
    if upper in FWP_USER_MODE:
        return _hresult(FWP_USER_MODE[upper][0])
    if upper in BUG_CHECK_NAMES:
        return _bugcheck(BUG_CHECK_NAMES[upper].code, parameter)
    if upper.startswith("ERROR_FLT_") and "STATUS_FLT_" + upper[10:] in KNOWN_STATUSES:
        st = NtStatus(KNOWN_STATUSES["STATUS_FLT_" + upper[10:]])
        return _hresult(st.code & 0x8000FFFF | 0x1F << 16)
    if re.fullmatch(r"(STATUS|ERROR|FWP_E)_[A-Z0-9_]+", upper):
        raise UnknownCode(f"{word} is not a status or error name the lab knows")
    return None


def _parameter(tokens: list[str], start: int) -> int | None:
    """Bug check parameter 1: the first 0x-hex after the code ('0xC4 0x62', '0xC4, parameter 1 = 0x62')."""
    return next((int(t, 16) for t in tokens[start:] if t.lower().startswith("0x")), None)


@functools.lru_cache(maxsize=4096)    # traces repeat the same few status strings
def codes_in(text: str) -> tuple[Code, ...]:
    """Every code in the text, in order. Raises UnknownCode for the first code-shaped word that
    no table knows (a 0x value, a STATUS_/ERROR_/FWP_E_ name, a number after 'error')."""
    tokens = _TOKEN.findall(text)
    found: list[Code] = []
    for i, tok in enumerate(tokens):
        if tok.lower().startswith("0x"):
            if found and found[-1].kind == BUGCHECK:   # a bug check's parameters follow it
                continue
            value = int(tok, 16)
            if value > 0xFFFFFFFF:
                raise UnknownCode(f"{tok} does not fit in 32 bits")
            code = _hex(value, _parameter(tokens, i + 1) if value in BUG_CHECKS else None)
        elif tok.isdigit():
            number = int(tok)
            if i and tokens[i - 1].lower() in ("parameter", "arg", "param"):
                continue          # 'parameter 1 = 0x62': a position, not a code
            if number in WIN32_ERRORS:
                code = _win32(number)
            elif i and tokens[i - 1].lower() in ("error", "failed", "code"):
                raise UnknownCode(f"{tok} is not a Win32 error the lab knows")
            else:
                continue          # a count or a step number, not a code
        else:
            code = _name(tok, _parameter(tokens, i + 1))
            if code is None:
                continue
        found.append(code)
    return tuple(found)


def find_code(text: str) -> Code | None:
    """The first code in what was pasted, or None when it holds none."""
    found = codes_in(text)
    return found[0] if found else None
