"""Execute notebooks top to bottom in a fresh kernel and store their outputs in place.

This is "Restart Kernel and Run All" for the stored outputs that strict nbval compares.
Usage: python tools/run_notebooks.py [notebooks/NN-name.ipynb ...]   (default: all)
"""
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def run(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    os.environ.pop("MPLBACKEND", None)  # the inline backend is chosen only when this is unset
    client = NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:  # timestamps would make every re-run a diff
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    print(f"ran {path.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for p in paths:
        run(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
