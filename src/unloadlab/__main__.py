"""Entry point for ``python -m unloadlab``."""
import gc
import sys

# One run, then exit: the cyclic collector would only scan the objects start-up imports made
# (about 5% of a run's instructions); nothing a run makes outlives it.
gc.disable()

from .cli import main  # noqa: E402  (after gc.disable, so the imports are not scanned either)

sys.exit(main())
