"""Type-check generated driver C with the MinGW-w64 cross compiler against real Windows
headers: MinGW-w64's own ddk/ (ntifs.h, ntddk.h, wdm.h, wdmsec.h, ntstatus.h), plus
tests/c/wdk_declarations.h for the four WDK headers MinGW does not ship (fltKernel.h,
fwpsk.h, fwpmk.h, wdf.h; reached through the one-line shims in tests/c/include/).

Debian package: gcc-mingw-w64-x86-64 (.ci/setup-mingw installs it under CI). Without the
compiler the tests that need it skip with the reason, except under CI=true, where a missing
compiler is a failure.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

C_DIR = Path(__file__).parent
SHIMS = C_DIR / "include"
DECLARATIONS = C_DIR / "wdk_declarations.h"
COMPILER = "x86_64-w64-mingw32-gcc"
# -Wno-missing-field-initializers on purpose: the documented idioms `{ IRP_MJ_OPERATION_END }`
# and a FLT_REGISTRATION that lists only the callbacks it sets leave the other members zero.
WARNINGS = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-Wno-missing-field-initializers",
            "-Wno-unknown-pragmas"]  # MSVC's #pragma warning, which the WDK build needs around fwpsk.h
JOBS = 2  # compiler processes at a time (2 cores)


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; under CI=true the generated C must be compiled (run .ci/setup-mingw)")
    pytest.skip(f"{reason}: the generated C cannot be compiled against real Windows headers here")


def compiler() -> str:
    """The cross compiler's path, or skip (fail under CI)."""
    found = shutil.which(COMPILER)
    if not found:
        _missing(f"{COMPILER} not found (Debian: apt-get install gcc-mingw-w64-x86-64)")
    return found


def ddk_dir(gcc: str) -> Path:
    """MinGW-w64's ddk/ directory, found among the compiler's own system include directories."""
    probe = subprocess.run([gcc, "-xc", "-E", "-v", os.devnull], capture_output=True, text=True)
    dirs = [Path(line.strip()) for line in probe.stderr.splitlines() if line.startswith(" /")]
    for d in dirs:
        if (d / "ddk" / "ntifs.h").is_file():
            return d / "ddk"
    _missing(f"{COMPILER} has no ddk/ntifs.h in {', '.join(map(str, dirs)) or 'its include path'}")
    raise AssertionError("unreachable")


def flags(gcc: str) -> list[str]:
    """The full command line after the compiler's name, for a syntax check."""
    return ["-fsyntax-only", *WARNINGS, "-I", str(SHIMS), "-I", str(ddk_dir(gcc))]


# --- many variants, one translation unit each job -------------------------------------------------
_FILE_SCOPE_NAME = re.compile(r"^(?![#\s{}/])[^;=(]*?\b([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*[;=(]")
_STRUCT_TAG = re.compile(r"^typedef struct (\w+) \{")          # typedef struct _X {
_TYPEDEF_NAMES = re.compile(r"^\} (\w+)(?:, \*(\w+))?;")        # } X, *PX;


def file_scope_names(text: str) -> tuple[set[str], set[str]]:
    """(identifiers the text defines or declares at file scope, macros it #defines)."""
    names = set()
    for line in text.splitlines():
        m = _FILE_SCOPE_NAME.match(re.sub(r"\{[^{}]*\}", "", line))  # drop `struct { ... }` bodies
        if m:
            names.add(m.group(1))
        names.update(n for rx in (_STRUCT_TAG, _TYPEDEF_NAMES) for g in [rx.match(line)] if g for n in g.groups()
                     if n)
    return names, set(re.findall(r"^#define (\w+)", text, re.M))


def as_one_unit(texts: dict[str, str]) -> str:
    """Many variants in one translation unit, each behaving as if compiled alone: its file-scope
    names get a per-variant suffix (member accesses such as config.EvtDriverUnload are left
    alone) and its own macros are undefined after it; #line keeps the compiler's messages
    pointing at the variant's own name and line. Each variant's #include lines are kept: the
    headers' include guards make the repeats free."""
    parts = []
    for name, text in texts.items():
        names, macros = file_scope_names(text)
        if names:
            pattern = re.compile(r"(?<![\w.])(?<!->)\b(" + "|".join(sorted(names)) + r")\b")
            text = pattern.sub(rf"\1__{name}", text)
        parts += [f'#line 1 "{name}.c"', text.rstrip("\n"), *(f"#undef {m}" for m in sorted(macros))]
    return "\n".join(parts) + "\n"


def compile_all(texts: dict[str, str], tmp: Path) -> None:
    """Type-check every variant as if it were its own translation unit (in JOBS batches, to
    spare process start-ups); fail naming the variants the compiler rejects, with the first's text."""
    gcc = compiler()
    cmd = [gcc, *flags(gcc)]
    names = sorted(texts)
    size = -(-len(names) // JOBS)
    procs = []
    for job in range(JOBS):
        unit = tmp / f"batch{job}.c"
        unit.write_text(as_one_unit({n: texts[n] for n in names[job * size:(job + 1) * size]}))
        procs.append(subprocess.Popen([*cmd, unit.name], cwd=tmp, text=True, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT))
    errors = "".join(out for out, rc in ((p.communicate()[0], p.returncode) for p in procs) if rc)
    if errors:
        failing = sorted(set(re.findall(r"^(\w+)\.c:", errors, re.M)))
        first = texts.get(failing[0], "") if failing else ""
        pytest.fail(f"{len(failing)} variant(s) do not compile: {failing[:10]}\n{errors[:3000]}\n"
                    f"--- {failing[:1]} ---\n{first}")


def compiles(text: str, tmp: Path, name: str = "unit") -> subprocess.CompletedProcess:
    """One unit, compiled alone; the completed process (returncode, stdout with the messages)."""
    gcc = compiler()
    (tmp / f"{name}.c").write_text(text)
    return subprocess.run([gcc, *flags(gcc), f"{name}.c"], cwd=tmp, capture_output=True, text=True)
