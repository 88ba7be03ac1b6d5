"""NTSTATUS parsing, naming, severity, NT_SUCCESS and the user-mode HRESULT."""
import pytest

from unloadlab.windows import (KNOWN_STATUSES, NtStatus, Severity, StatusError, hresult_for_user_mode,
                                parse_status, status)

FACTS_TABLE = {  # domain-facts constants table, NTSTATUS rows
    "STATUS_SUCCESS": 0x0, "STATUS_PENDING": 0x103, "STATUS_OBJECT_NAME_EXISTS": 0x40000000,
    "STATUS_DEVICE_BUSY": 0x80000011, "STATUS_UNSUCCESSFUL": 0xC0000001, "STATUS_INVALID_PARAMETER": 0xC000000D,
    "STATUS_INVALID_DEVICE_REQUEST": 0xC0000010, "STATUS_ACCESS_DENIED": 0xC0000022,
    "STATUS_OBJECT_NAME_NOT_FOUND": 0xC0000034, "STATUS_DELETE_PENDING": 0xC0000056,
    "STATUS_PRIVILEGE_NOT_HELD": 0xC0000061, "STATUS_INSUFFICIENT_RESOURCES": 0xC000009A,
    "STATUS_NOT_SUPPORTED": 0xC00000BB,
    "STATUS_FLT_NOT_INITIALIZED": 0xC01C0007, "STATUS_FLT_DELETING_OBJECT": 0xC01C000B,
    "STATUS_FLT_DO_NOT_ATTACH": 0xC01C000F, "STATUS_FLT_DO_NOT_DETACH": 0xC01C0010,
    "STATUS_FLT_FILTER_NOT_FOUND": 0xC01C0013, "STATUS_FLT_INSTANCE_NOT_FOUND": 0xC01C0015,
    "STATUS_FWP_CALLOUT_NOT_FOUND": 0xC0220001, "STATUS_FWP_IN_USE": 0xC022000A,
}


def test_every_status_of_the_facts_table_is_known_by_name_and_value():
    """Each name parses to its value and each value is named back."""
    assert FACTS_TABLE == KNOWN_STATUSES
    for name, code in FACTS_TABLE.items():
        assert parse_status(name).code == code
        assert NtStatus(code).name == name


@pytest.mark.parametrize("text", ["0xC01C0010", "0xc01c0010", "0XC01C0010", "0xC01c0010", " 0xc01c0010 "])
def test_hex_in_either_case(text):
    """Hex codes parse whatever the case of the digits and the prefix."""
    assert parse_status(text) == status("STATUS_FLT_DO_NOT_DETACH")


@pytest.mark.parametrize("code, severity, ok", [
    (0x00000000, Severity.SUCCESS, True), (0x00000103, Severity.SUCCESS, True),
    (0x40000000, Severity.INFORMATIONAL, True), (0x7FFFFFFF, Severity.INFORMATIONAL, True),
    (0x80000011, Severity.WARNING, False), (0xBFFFFFFF, Severity.WARNING, False),
    (0xC01C0010, Severity.ERROR, False), (0xFFFFFFFF, Severity.ERROR, False),
])
def test_severity_is_the_top_two_bits_and_nt_success_the_sign(code, severity, ok):
    """00 success, 01 informational, 10 warning, 11 error; NT_SUCCESS is (LONG)s >= 0 (fact 48)."""
    st = NtStatus(code)
    assert st.severity is severity
    assert st.nt_success is ok


def test_status_device_busy_is_a_warning_not_an_error():
    """Open question 12: STATUS_DEVICE_BUSY is 0x80000011, a warning."""
    assert status("STATUS_DEVICE_BUSY").severity is Severity.WARNING


def test_unknown_code_is_shown_in_hex():
    assert NtStatus(0xC0001234).label == "0xC0001234"
    assert NtStatus(0xC0001234).describe() == "0xC0001234 (error)"
    assert status("STATUS_FLT_DO_NOT_DETACH").describe() == "STATUS_FLT_DO_NOT_DETACH (0xC01C0010, error)"


@pytest.mark.parametrize("st, hr", [
    ("STATUS_FLT_DO_NOT_DETACH", 0x801F0010), ("STATUS_FLT_FILTER_NOT_FOUND", 0x801F0013),
    ("STATUS_FLT_DELETING_OBJECT", 0x801F000B), ("STATUS_SUCCESS", 0),
])
def test_filter_manager_status_to_hresult(st, hr):
    """Facility 0x1C statuses keep severity bit and code and take facility 0x1F (fact 13)."""
    assert hresult_for_user_mode(status(st)) == (hr, True)


def test_other_statuses_have_no_documented_hresult():
    """Outside the filter manager's facility the mapping is undocumented (inferred or None)."""
    assert hresult_for_user_mode(status("STATUS_PRIVILEGE_NOT_HELD")) == (0x80070522, False)
    assert hresult_for_user_mode(status("STATUS_UNSUCCESSFUL")) == (None, False)


BAD = [
    ("0xC01C00101", "32 bits"), ("0x1FFFFFFFF", "32 bits"), ("0x", "not an NTSTATUS"),
    ("0xZZZ", "not an NTSTATUS"), ("C01C0010", "not an NTSTATUS"), ("-1", "negative"),
    ("-0x1", "negative"), ("status_success", "upper case"), ("STATUS_NOPE", "unknown NTSTATUS name"),
    ("", "not an NTSTATUS"), ("12", "not an NTSTATUS"), (-5, "outside"), (2**32, "outside"),
    (1.5, "float"), (None, "NoneType"), (True, "bool"), ([0], "list"),
]


@pytest.mark.parametrize("value, words", BAD)
def test_bad_status_input_is_a_clear_error(value, words):
    """The message names the bad value's problem and what is accepted."""
    with pytest.raises(StatusError) as e:
        parse_status(value)
    assert words in str(e.value)
