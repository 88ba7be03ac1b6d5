"""Test-wide setup. Notebook kernels (started by nbval) inherit this environment: they run
with the inline matplotlib backend and with the network switched off
(tests/no_network/sitecustomize.py)."""
import os
from pathlib import Path

_NO_NETWORK = str(Path(__file__).parent / "tests" / "no_network")
os.environ["UNLOADLAB_NO_NETWORK"] = "1"
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_NO_NETWORK, os.environ.get("PYTHONPATH")) if p)
os.environ.pop("MPLBACKEND", None)  # ipykernel picks the inline backend only when this is unset
