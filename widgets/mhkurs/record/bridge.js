/* The record bridge's browser side (mhkurs.record.sync.RecordBridge._esm): an anywidget module. The kernel
   reads this file as the widget's source (JupyterLab's anywidget imports it from that text); the course pages'
   front end has it bundled (frontend/src/anywidget.js), so they need no blob: import under their
   Content-Security-Policy. KEY is mhkurs.record.sync.STORAGE_KEY. */
const KEY = "mhkurs-record-v1";
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
