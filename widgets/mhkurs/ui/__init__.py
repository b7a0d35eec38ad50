"""ipywidgets views. A teaching notebook needs one line per exercise, e.g. ``show_case("jaeren-2008")``."""

from .content import (show_border, show_case_summary, show_concept, show_contacts, show_duty, show_indicators,
                      show_landing, show_module_header, show_myth_list, show_rights, show_sources)
from .exercises import (show_case, show_classifier, show_myths, show_navigator, show_progress, show_quiz,
                        show_spotter)

__all__ = [
    "show_border", "show_case", "show_case_summary", "show_classifier", "show_concept", "show_contacts",
    "show_duty", "show_indicators", "show_landing", "show_module_header", "show_myth_list", "show_myths",
    "show_navigator", "show_progress", "show_quiz", "show_rights", "show_sources", "show_spotter",
]
