"""The small widget between the learner's browser and this kernel's record (anywidget).

On the page it is invisible. When the learner's page has loaded it, the browser sends ``hello``
(with the record from ``localStorage`` when the browser store is used); only then does the kernel
read the record, so a page Voila ran ahead of time in a preheated kernel never shows stale or
another learner's data. With the browser store, every change is written back to ``localStorage``,
and a change made in another tab is sent to the kernel. It also starts downloads and printing.

In a learning platform (``mhkurs scorm``) the course page sits in a frame of the SCORM package's launch
page, which names itself in the frame's ``window.name`` (``mhkurs-lms <origin>``). Then the record comes
from the LMS instead of ``localStorage``: the page asks the launch page (``postMessage`` to that origin
only, answers taken only from the parent window and that origin) for ``cmi.suspend_data``, and after
every change the kernel sends the compact record, the lesson status and the post-test score
(:mod:`mhkurs.record.lms`), which the page passes on to the launch page.
"""

from __future__ import annotations

import json

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
/* The launch page of the SCORM package, when this page is in its frame: its origin, else null. */
function lmsOrigin() {
  try {
    if (window.parent === window) return null;
    const m = /^mhkurs-lms (https?:\/\/[^ \/]+)$/.exec(window.name || "");
    return m ? new URL(m[1]).origin : null;
  } catch (e) { return null; }
}
/* Ask the launch page for the record the LMS keeps; null when it does not answer in time. */
function askLms(origin) {
  return new Promise((resolve) => {
    const done = (v) => { window.removeEventListener("message", on); clearTimeout(timer); resolve(v); };
    const on = (ev) => {
      if (ev.source !== window.parent || ev.origin !== origin) return;
      const m = ev.data;
      if (m && m.mhkurs === "record") done(typeof m.suspend_data === "string" ? m.suspend_data : "");
    };
    const timer = setTimeout(() => { console.warn("mhkurs: the LMS launch page did not answer"); done(null); }, 8000);
    window.addEventListener("message", on);
    window.parent.postMessage({ mhkurs: "hello" }, origin);
  });
}
export default {
  async initialize({ model }) {
    const origin = lmsOrigin();
    const fromLms = origin ? await askLms(origin) : null;
    const lms = fromLms !== null;
    const browser = () => model.get("store") === "browser" && !lms;
    model.on("msg:custom", (msg) => {
      if (msg.type === "lms" && lms) {
        window.parent.postMessage({ mhkurs: "save", suspend_data: msg.suspend_data,
                                    lesson_status: msg.lesson_status, score: msg.score }, origin);
      }
      else if (msg.type === "save" && browser()) write(msg.data);
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
    if (lms) model.send({ type: "hello", data: null, lms: fromLms });
    else model.send({ type: "hello", data: browser() ? read() : null });
  },
  render({ el }) { el.style.display = "none"; el.setAttribute("aria-hidden", "true"); },
};
""" % STORAGE_KEY


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
