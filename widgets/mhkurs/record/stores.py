"""Where a learner's record is kept: two stores behind one small interface.

- :class:`FileStore`: a JSON file in the learner's home (``~/.mhkurs/record.json``): local use and
  JupyterHub, where every user has a home of their own.
- :class:`BrowserStore`: the learner's own browser (``localStorage``), for anonymous hosting: the
  kernel holds a copy only while the page is open, and nothing about the learner is written on the
  server. :class:`mhkurs.record.sync.RecordBridge` carries the data between browser and kernel.

A store has ``kind``, ``load() -> dict``, ``save(dict)``, ``clear()`` and ``where`` (Norwegian text
telling the learner where their data is).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path

from ..logic.progress import empty, normalise


def default_file() -> Path | None:
    """The record file: ``MHKURS_RECORD_FILE`` (or the older ``MHKURS_PROGRESS_FILE``), else
    ``~/.mhkurs/record.json``. An empty value means: no file (the browser keeps the record)."""
    for name in ("MHKURS_RECORD_FILE", "MHKURS_PROGRESS_FILE"):
        value = os.environ.get(name)
        if value is not None:
            return Path(value).expanduser() if value else None
    return Path.home() / ".mhkurs" / "record.json"


class FileStore:
    kind = "file"
    lms = False
    fresh_reads = True  # another page of the same learner may have written since: read before each change

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    @property
    def where(self) -> str:
        return f"i filen {self.path} på maskinen kurset kjører på"

    def load(self) -> dict:
        try:
            return normalise(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return empty()  # a missing or damaged file never breaks a course page

    def save(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


class BrowserStore:
    kind = "browser"
    fresh_reads = False  # the browser tells the kernel when another tab changed the record

    def __init__(self, push: Callable[[str | None], None] | None = None):
        self.push = push  # sends the record (JSON) to the browser; None clears it there
        self._data = empty()

    lms = False  # True when the page is in a learning platform's frame (mhkurs.record.lms): the LMS keeps the record

    @property
    def where(self) -> str:
        if self.lms:
            return "i læringsplattformen (LMS-et) du startet kurset fra, så den følger deg når du logger inn der fra en annen maskin"
        return "bare i denne nettleseren på denne maskinen (ikke på kursets server)"

    def receive(self, raw: str | None) -> None:
        """The record as the browser holds it (a JSON string, or nothing yet)."""
        try:
            self._data = normalise(json.loads(raw)) if raw else empty()
        except ValueError:
            self._data = empty()

    def load(self) -> dict:
        return copy.deepcopy(self._data)

    def save(self, data: dict) -> None:
        self._data = copy.deepcopy(data)
        if self.push:
            self.push(json.dumps(data, ensure_ascii=False))

    def clear(self) -> None:
        self._data = empty()
        if self.push:
            self.push(None)


def store_from_env():
    """The store this kernel uses: ``MHKURS_RECORD=browser`` (set by ``mhkurs serve`` when it serves
    several people) or the file store (default)."""
    kind = os.environ.get("MHKURS_RECORD", "").strip().lower()
    path = default_file()
    if kind == "browser" or path is None:
        return BrowserStore()
    return FileStore(path)
