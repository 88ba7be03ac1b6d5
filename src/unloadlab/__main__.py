"""Entry point for ``python -m unloadlab``."""
import sys

from .cli import main

sys.exit(main())
