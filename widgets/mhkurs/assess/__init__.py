"""Graded assessments: nbgrader source notebooks generated from the question bank.

``build`` turns each bank assignment into an nbgrader source notebook (pure
nbformat, no kernel); ``answers`` reads what a trainee answered (clicked or typed) and
says why an answer cannot be read; ``notebook_helper`` is the kernel code copied into each
notebook (buttons, answer file, completeness check, hand-in file); ``feedback`` builds the
feedback page the course's nbgrader config renders.
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
