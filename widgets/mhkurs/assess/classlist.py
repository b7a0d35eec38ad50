"""The class list an nbgrader course folder keeps: the students in its gradebook."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def roster(course: Path) -> set[str] | None:
    """Student ids in the class list (the gradebook's students), or None when there is none to check against."""
    db = course / "gradebook.db"
    if not db.exists():
        return None
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            ids = {row[0] for row in con.execute("SELECT id FROM student")}
    except sqlite3.Error:
        return None
    return ids or None
