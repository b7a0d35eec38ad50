"""The small widget between the learner's browser and this kernel's record (anywidget).

On the page it is invisible. When the learner's page has loaded it, the browser sends ``hello``
(with the record from ``localStorage`` when the browser store is used); only then does the kernel
read the record, so a page Voila ran ahead of time in a preheated kernel never shows stale or
another learner's data. With the browser store, every change is written back to ``localStorage``,
and a change made in another tab is sent to the kernel. It also starts downloads and printing.

In a learning platform (``mhkurs scorm``) the course page sits in a frame of the SCORM package's launch
page, which names its origin in the first course page's address (``#mhkurs-lms=<origin>``; later pages
in the frame find it in ``location.ancestorOrigins``). Then the record comes from the LMS instead of
``localStorage``: the page asks the launch page (``postMessage`` to its origin; an answer counts only
from the parent window and that origin) for ``cmi.suspend_data``, and after every change the kernel
sends the compact record, the lesson status and the post-test score (:mod:`mhkurs.record.lms`), which
the page passes on to the launch page. Which sites may frame the course at all is the course server's
``frame-ancestors`` (``mhkurs serve --lms-origin``).
"""

from __future__ import annotations

import json
from pathlib import Path

import anywidget
import traitlets

STORAGE_KEY = "mhkurs-record-v1"

# The browser side, a file of its own: the course pages' front end bundles the same file (frontend/src/anywidget.js
# knows this exact source and uses its bundled copy instead of importing the text from a blob: URL).
ESM = (Path(__file__).with_name("bridge.js")).read_text(encoding="utf-8")
if f'const KEY = "{STORAGE_KEY}";' not in ESM:
    raise RuntimeError("mhkurs.record.sync: bridge.js and STORAGE_KEY disagree")


class RecordBridge(anywidget.AnyWidget):
    _esm = ESM
    store = traitlets.Unicode("file").tag(sync=True)
    lms = False  # True once the page said it is in the SCORM package's frame

    def __init__(self, record, **kwargs):
        super().__init__(store=record.store.kind, **kwargs)
        self.record = record
        self.layout.display = "none"
        if record.store.kind == "browser":
            record.store.push = self._push
        self.on_msg(self._on_msg)

    def _push(self, raw: str | None) -> None:
        self.send({"type": "clear"} if raw is None else {"type": "save", "data": raw})

    def _on_msg(self, _widget, content, _buffers) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "hello" and isinstance(content.get("lms"), str) and not self.lms:
            self._connect_lms(content["lms"])
        elif kind == "hello":
            self.record.connect(content.get("data"))
        elif kind == "update" and self.record.ready:
            self.record.connect(content.get("data"))

    def _connect_lms(self, suspend_data: str) -> None:
        """The page is in the SCORM package's frame: the record is the one the LMS keeps (a file store, one
        learner's own machine, stays the record; the LMS still gets the status and score)."""
        from . import lms

        self.lms = True
        self.record.store.lms = True
        self.record.on_change(self._push_lms)
        if self.record.store.kind == "browser":
            self.record.connect(json.dumps(lms.unpack(suspend_data), ensure_ascii=False))
        else:
            self.record.connect(None)

    def _push_lms(self) -> None:
        from . import lms

        if self.record.ready:
            self.send({"type": "lms", **lms.payload(self.record.bank, self.record.data())})

    def download(self, filename: str) -> None:
        self.send({"type": "download", "filename": filename, "data": self.record.export_json()})

    def print_page(self) -> None:
        self.send({"type": "print"})
