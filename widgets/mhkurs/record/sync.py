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
/* The SCORM package's launch page, when this page is in a frame: its origin if known, "*" if not, null when not
   framed. The launch page names its origin in the first course page's address (#mhkurs-lms=...); the pages
   opened from there in the same frame find it in location.ancestorOrigins (Chromium, Safari) or in
   sessionStorage (where the browser allows storage in a frame of another site; Chromium's private windows do
   not). Only the learning platforms the course server names (frame-ancestors) can frame the course at all. */
function lmsOrigin() {
  if (window.parent === window) return null;
  try {
    const m = /[#&]mhkurs-lms=([^&]+)/.exec(window.location.hash);
    if (m) {
      const origin = new URL(decodeURIComponent(m[1])).origin;
      try { window.sessionStorage.setItem("mhkurs-lms-origin", origin); } catch (e) { /* no storage in frames */ }
      return origin;
    }
  } catch (e) { /* a damaged address: ask as below */ }
  try {
    const anc = window.location.ancestorOrigins;
    if (anc && anc.length && /^https?:/.test(anc[0])) return anc[0];
  } catch (e) { /* not in this browser */ }
  try {
    const kept = window.sessionStorage.getItem("mhkurs-lms-origin");
    if (kept) return kept;
  } catch (e) { /* no storage in frames */ }
  return "*";
}
/* Ask the launch page for the record the LMS keeps: [its origin, suspend_data], or null when it does not answer
   (the page is framed by something else). The hello carries nothing; the answer counts only from the parent
   window and, when known, the launch page's origin. */
function askLms(origin) {
  return new Promise((resolve) => {
    const done = (v) => { window.removeEventListener("message", on); clearTimeout(timer); resolve(v); };
    const on = (ev) => {
      if (ev.source !== window.parent || (origin !== "*" && ev.origin !== origin)) return;
      const m = ev.data;
      if (m && m.mhkurs === "record") done([ev.origin, typeof m.suspend_data === "string" ? m.suspend_data : ""]);
    };
    const timer = setTimeout(() => done(null), origin === "*" ? 1500 : 8000);
    window.addEventListener("message", on);
    window.parent.postMessage({ mhkurs: "hello" }, origin);
  });
}
export default {
  async initialize({ model }) {
    const asked = lmsOrigin();
    const answer = asked ? await askLms(asked) : null;
    const lms = answer !== null;
    const origin = lms ? answer[0] : null;
    const fromLms = lms ? answer[1] : null;
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
