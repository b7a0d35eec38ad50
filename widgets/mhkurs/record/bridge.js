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
