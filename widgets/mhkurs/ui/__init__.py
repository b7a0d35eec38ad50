"""ipywidgets views. A teaching notebook needs one line per exercise, e.g. ``show_case("jaeren-2008")``."""

from .content import (show_border, show_case_summary, show_concept, show_contacts, show_duty, show_indicators,
                      show_landing, show_module_header, show_myth_list, show_rights, show_sources)
from .classifier_view import show_classifier
from .conversation_view import show_conversation, show_example_questions, show_question_choice
from .myths_view import show_myths
from .navigator_view import show_navigator
from .progress_view import show_progress
from .quiz_view import show_quiz
from .scenario_view import show_case
from .spotter_view import show_spotter

__all__ = [
    "show_border", "show_case", "show_case_summary", "show_classifier", "show_concept", "show_contacts",
    "show_duty", "show_indicators", "show_landing", "show_module_header", "show_myth_list", "show_myths",
    "show_navigator", "show_progress", "show_quiz", "show_rights", "show_sources", "show_spotter",
    "show_conversation", "show_example_questions", "show_question_choice",
]
