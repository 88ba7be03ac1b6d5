"""From what an engineer sees to why: the symptom index over every catalogue scenario.

It sits above ``unloadlab.catalogue`` and below the views and the CLI. Pure Python, standard
library only, nothing printed. Each name below is imported from its submodule when first used."""
from ..windows.lazy import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "codes": ("Code", "UnknownCode", "codes_in", "find_code"),
    "observations": ("Observation", "observe"),
    "answers": ("Answer", "Cause", "SymptomError", "Symptom", "SYMPTOMS", "index", "why", "listing", "known_codes",
                "typed_form", "ACCEPTED"),
})
