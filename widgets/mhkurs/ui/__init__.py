"""ipywidgets views. A teaching notebook needs one line per exercise, e.g. ``show_case("jaeren-2008")``."""

from .frame import show_module_end
from .content import (show_border, show_case_summary, show_concept, show_contacts, show_duty, show_indicators,
                      show_landing, show_module_header, show_myth_list, show_rights, show_sources)
from .classifier_view import show_classifier
from .course_test_view import show_course_test
from .conversation_view import show_conversation, show_example_questions, show_question_choice
from .myths_view import show_myths
from .navigator_view import show_navigator
from .print_views import show_certificate, show_field_card
from .progress_view import show_progress
from .quiz_view import show_quiz
from .reading import show_course_map
from .refresher_view import show_refresher
from .scenario_view import show_case
from .spotter_view import show_spotter

__all__ = [
    "show_border", "show_case", "show_case_summary", "show_classifier", "show_concept", "show_contacts",
    "show_duty", "show_indicators", "show_landing", "show_module_end", "show_module_header", "show_myth_list", "show_myths",
    "show_navigator", "show_progress", "show_quiz", "show_rights", "show_sources", "show_spotter",
    "show_course_test", "show_certificate", "show_field_card", "show_refresher",
    "show_conversation", "show_example_questions", "show_question_choice",
    "show_course_map",
]

# Each widget keeps its room on the page until Voila's front end has drawn it (issue 18; reserve.py).
from .reserve import reserving  # noqa: E402

show_case, show_classifier, show_course_test, show_landing, show_module_end, show_myths, show_navigator, \
    show_progress, show_question_choice, show_quiz, show_spotter = (
        reserving(f) for f in (show_case, show_classifier, show_course_test, show_landing, show_module_end,
                               show_myths, show_navigator, show_progress, show_question_choice, show_quiz,
                               show_spotter))
