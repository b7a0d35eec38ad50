"""The small widget between the learner's browser and this kernel's record (anywidget).

On the page it is invisible. When the learner's page has loaded it, the browser sends ``hello``
(with the record from ``localStorage`` when the browser store is used); only then does the kernel
read the record, so a page Voila ran ahead of time in a preheated kernel never shows stale or
another learner's data. With the browser store, every change is written back to ``localStorage``,
and a change made in another tab is sent to the kernel. It also starts downloads and printing.
"""

from __future__ import annotations

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
        if kind == "hello":
            self.record.connect(content.get("data"))
        elif kind == "update" and self.record.ready:
            self.record.connect(content.get("data"))

    def download(self, filename: str) -> None:
        self.send({"type": "download", "filename": filename, "data": self.record.export_json()})

    def print_page(self) -> None:
        self.send({"type": "print"})
