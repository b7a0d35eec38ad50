"""Graded assessments: nbgrader source notebooks generated from the question bank.

``build`` turns each bank assignment into an nbgrader source notebook (pure
nbformat, no kernel); ``nbgrader_ext`` holds the preprocessor the course's
nbgrader config uses so that feedback never shows hidden tests or rubrics; ``answers``
reads what a trainee answered (clicked or typed) and says why an answer cannot be read.
"""

from .build import (
    build_all,
    build_notebook,
    check_sources,
    helper_source,
    notebook_text,
    write_sources,
)

__all__ = [
    "build_all",
    "build_notebook",
    "check_sources",
    "helper_source",
    "notebook_text",
    "write_sources",
]
