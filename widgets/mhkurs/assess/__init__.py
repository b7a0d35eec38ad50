"""Graded assessments: nbgrader source notebooks generated from the question bank.

``build`` turns each bank assignment into an nbgrader source notebook (pure
nbformat, no kernel); ``nbgrader_ext`` holds the preprocessor the course's
nbgrader config uses so that feedback never shows hidden tests or rubrics.
"""

from .build import (
    ASSIGNMENT_LETTERS_EXPR,
    build_all,
    build_notebook,
    check_sources,
    helper_source,
    notebook_text,
    write_sources,
)

__all__ = [
    "ASSIGNMENT_LETTERS_EXPR",
    "build_all",
    "build_notebook",
    "check_sources",
    "helper_source",
    "notebook_text",
    "write_sources",
]
