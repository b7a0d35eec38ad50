"""The small widget between the learner's browser and this kernel's record (anywidget).

On the page it is invisible. When the learner's page has loaded it, the browser sends ``hello``
(with the record from ``localStorage`` when the browser store is used); only then does the kernel
read the record, so a page Voila ran ahead of time in a preheated kernel never shows stale or
another learner's data. With the browser store, every change is written back to ``localStorage``,
and a change made in another tab is sent to the kernel. It also starts downloads and printing.
"""

from __future__ import annotations

import anywidget
import traitlets

STORAGE_KEY = "mhkurs-record-v1"

ESM = """
const KEY = "%s";
function read() { try { return window.localStorage.getItem(KEY); } catch (e) { return null; } }
function write(v) {
  try { if (v === null) window.localStorage.removeItem(KEY); else window.localStorage.setItem(KEY, v); }
  catch (e) { console.warn("mhkurs: localStorage is not available", e); }
}
export default {
  initialize({ model }) {
    const browser = () => model.get("store") === "browser";
    model.on("msg:custom", (msg) => {
      if (msg.type === "save" && browser()) write(msg.data);
      else if (msg.type === "clear" && browser()) write(null);
      else if (msg.type === "download") {
        const blob = new Blob([msg.data], { type: "application/json" });
        const a = document.createElement("a");
        a.href = URL.createObjectURL(blob); a.download = msg.filename;
        document.body.appendChild(a); a.click();
        setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      } else if (msg.type === "print") window.print();
    });
    window.addEventListener("storage", (e) => {
      if (e.key === KEY && browser()) model.send({ type: "update", data: e.newValue });
    });
    model.send({ type: "hello", data: browser() ? read() : null });
  },
  render({ el }) { el.style.display = "none"; el.setAttribute("aria-hidden", "true"); },
};
""" % STORAGE_KEY


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
