"""Quiet nbgrader runs: warnings only for what an instructor must act on.

nbgrader's autograde warns "Attribute 'checksum' for cell ... has changed" for
the test cell of every question of every submission: the released test cells
lack their hidden part, so they always differ from the source. It restores each
locked cell anyway, so the warning says nothing; the real edits are listed per
student by ``mhkurs audit``. :class:`QuietOverwriteCells` does what nbgrader's
``OverwriteCells`` does and logs checksum changes at debug level only.
SQLAlchemy's "not in session" warnings from nbgrader's gradebook code
(autoflush while a submission is created) and nbformat's warning about the cell
id of a test cell nbgrader put back are filtered by :func:`filter_warnings`.
"""

from __future__ import annotations

import warnings

from nbgrader.preprocessors import OverwriteCells


class QuietOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells; a changed checksum (expected for every test cell) is logged at debug level."""

    def report_change(self, name, attr, old, new) -> None:
        if attr == "checksum":
            self.log.debug("Cell %s differs from the source; restored from the gradebook", name)
            return
        super().report_change(name, attr, old, new)


def filter_warnings() -> None:
    """Hide SQLAlchemy's autoflush warnings nbgrader's gradebook code causes on every new submission."""
    try:
        from sqlalchemy.exc import SAWarning
    except ImportError:  # pragma: no cover - nbgrader depends on SQLAlchemy
        return
    warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session", category=SAWarning)
    # A test cell nbgrader puts back (a learner deleted it) has no cell id; nbformat warns when it is written.
    warnings.filterwarnings("ignore", message=r"Cell is missing an id field", module=r"nbformat")
