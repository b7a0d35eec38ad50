/* mhkurs: the course pages' widget front end (issue 18).

   Voila's own front end is a JupyterLab application (about 5.5 MB of JavaScript) that draws the page's widgets.
   The course pages need only a part of it: a connection to the page's kernel, ipywidgets' models and views
   (@jupyter-widgets/base and controls) and the record bridge (an anywidget). This file is that part:
   - reads #jupyter-config-data (baseUrl, kernelId) and connects to the kernel Voila started for the page;
   - registers the `jupyter.widget` comm target and loads every widget model from the kernel
     (ManagerBase._loadFromKernel, the `jupyter.widget.control` comm);
   - draws each widget output (script[type="application/vnd.voila.cell-output+json"]) where it was sent, in the
     DOM Voila's front end made: div.lm-Widget.lm-Panel.jp-OutputArea-output > the view (.jupyter-widgets …);
   - keeps the kernel connection through a lost network (a quiet notice while @jupyterlab/services reconnects, one
     clear message when the page's kernel is gone: watchConnection);
   - asks the server to shut the kernel down when the page is left for good (pagehide, not kept in the
     back/forward cache), and reconnects a page restored from that cache;
   - once every widget is drawn, takes the page's loading notice away (window.voila_finish, as Voila's theme
     plugin did) and sets data-mh-front-end="ready" on <html>; a start-up that fails says so in Norwegian and sets
     data-mh-front-end="failed".
   Work is cut into short tasks (the libraries evaluated part by part; yields between models, comms and views),
   so the main thread is never blocked long: Lighthouse's total blocking time counts every task over 50 ms. */

import { anywidget } from "./anywidget.js";
import sanitize from "./sanitize-html.js";

/* The libraries come in parts (src/parts/*.js, chunks of an ES module build), each fetched and evaluated in a task
   of its own, one after the other: evaluating the whole 580 KB in one task blocked the page longest of all, and
   parts fetched together were evaluated together. */
let Widget, Panel, KernelConnection, ServerConnection, base, ManagerBase, controls;
async function loadParts() {
  const lumino = await import("./parts/lumino.js");
  await nextTask();
  await import("./parts/backbone.js");
  await nextTask();
  const baseParts = await import("./parts/base.js");
  await nextTask();
  await import("./parts/serverconnection.js");
  await nextTask();
  const services = await import("./parts/services.js");
  await nextTask();
  const controlsPart = await import("./parts/controls.js");
  await nextTask();
  ({ Widget, Panel } = lumino);
  ({ KernelConnection, ServerConnection } = services);
  ({ base, ManagerBase } = baseParts);
  ({ controls } = controlsPart);
}

const WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";
/* A task may run this long before yielding. Lighthouse's mobile preset multiplies every main-thread task by 4
   (simulated CPU throttling) and counts what lies over 50 ms as blocking: 10 ms stays under that. */
const BUDGET_MS = 10;

/* ---------- cutting the work into short tasks ---------- */
let sliceStart = performance.now();
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => { const r = waiting.shift(); if (r) r(); };
function nextTask() {
  return new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(0); });
}
/* The time check alone lets a burst through: ManagerBase._loadFromKernel starts the creation of every model of the
   page in one synchronous loop, so hundreds of calls reach pace() within a millisecond, all under the budget, and
   their work (state deserialization, model construction) then ran in one chain of microtasks of 100–250 ms at 4x
   CPU throttling. So a task also admits only a few units of work (COSTLY per model or view, 1 per comm); the rest
   wait for tasks of their own, in order. */
const UNITS_PER_TASK = 8;
const COSTLY = 4;
let units = 0;
/** Yield to the browser (a new task) once the current task has run for BUDGET_MS or admitted its units of work. */
async function pace(cost = COSTLY) {
  if (!waiting.length && performance.now() - sliceStart < BUDGET_MS && units + cost <= UNITS_PER_TASK) {
    units += cost;
    return;
  }
  await nextTask();  // a task of its own: its budget starts now
  sliceStart = performance.now();
  units = cost;
}

let MODULES;

/* ---------- no comm message lost while its model is being made ---------- */
/* @jupyterlab/services hands a comm message to the comm's onMsg, and drops it when there is none yet. A model's
   comm exists (registered with the kernel connection) a while before the model is made and sets its handler:
   _loadFromKernel creates every comm of the page first, then the models one by one, paced (pace()), and the
   kernel may send to any of them meanwhile (the record bridge's «hello» makes the kernel update the progress
   widgets at once). So each comm keeps what arrives before its handler is set, and hands it over in order. */
function queuedComm(comm) {
  const early = { msg: [], close: [] };
  comm.onMsg = (msg) => { early.msg.push(msg); };
  comm.onClose = (msg) => { early.close.push(msg); };
  const shim = new base.shims.services.Comm(comm);
  const handOver = (kind, prop) => async function (callback) {
    const handler = callback.bind(shim);
    const queue = early[kind];
    if (!queue.length) { comm[prop] = handler; return; }
    window.mhFrontEnd.early += queue.length;
    // messages that arrive while the early ones are handed over wait behind them
    comm[prop] = (msg) => { queue.push(msg); };
    while (queue.length) {
      try { await handler(queue.shift()); } catch (err) { console.error("mhkurs: an early comm message", err); }
    }
    comm[prop] = handler;
  };
  shim.on_msg = handOver("msg", "onMsg");
  shim.on_close = handOver("close", "onClose");
  return shim;
}

/* ---------- failures: the course's Norwegian note, never a stack trace ---------- */
const WIDGET_FAILED = "Denne delen av siden kunne ikke vises. Last siden på nytt. Skjer det igjen, si fra til den som har ansvaret for kurset.";
const failures = [];
window.mhFrontEnd = { failures, early: 0 };
function failedNote(el) {
  el.classList.add("jupyter-widgets", "mh-widget-failed");
  el.setAttribute("role", "note");
  el.textContent = WIDGET_FAILED;
}
/* ipywidgets shows a widget whose class could not be loaded, or whose view failed, as an ErrorWidgetView
   («Click to show javascript error», with the stack on a click): the course shows its note instead, and lists the
   failure in window.mhFrontEnd.failures (the browser tests check it is empty on every page). */
function courseErrorView(ErrorWidgetView) {
  ErrorWidgetView.prototype.render = function () {
    let msg, stack;
    try { ({ msg, stack } = this.generateErrorMessage()); } catch (e) { msg = "a widget failed"; stack = String(e); }
    failures.push(`${msg}: ${String(stack).split("\n")[0]}`);
    console.error("mhkurs:", msg, stack);
    failedNote(this.el);
  };
}

const courseWidgetManager = () => class CourseWidgetManager extends ManagerBase {
  constructor(kernel) {
    super();
    this.kernel = kernel;
    kernel.registerCommTarget(this.comm_target_name, async (comm, msg) => {
      await this.handle_comm_open(queuedComm(comm), msg);
    });
  }

  /* A description with description_allow_html: escaped whole, its LaTeX too (ManagerBase puts the $…$ parts back
     unsanitized around its sanitizer): see src/sanitize-html.js. */
  inline_sanitize(source) {
    return sanitize(source);
  }

  async loadClass(className, moduleName, _moduleVersion) {
    await pace();  // every model and view is created through here: the place to cut long tasks
    if (window.mhTestHooks && window.mhTestHooks.beforeClass) await window.mhTestHooks.beforeClass(className);
    const mod = MODULES[moduleName];
    if (!mod) throw new Error(`mhkurs: widget module ${moduleName} is not part of the course's front end`);
    const cls = mod[className];
    if (!cls) throw new Error(`mhkurs: class ${className} not found in ${moduleName}`);
    return cls;
  }

  async get_model(modelId) {
    const model = await super.get_model(modelId);
    // a model waits for the models it refers to (a box for its children): when they are made, the waiting models
    // are made too, in the same chain of microtasks, unless each goes through here
    await pace(1);
    return model;
  }

  async _create_comm(targetName, modelId, data, metadata, buffers) {
    await pace(1);  // _loadFromKernel opens a comm for each of the page's models (hundreds) at once
    const comm = this.kernel.createComm(targetName, modelId);
    const shim = queuedComm(comm);
    if (data || metadata) comm.open(data, metadata, buffers);
    return shim;
  }

  async _get_comm_info() {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === "ok" ? reply.content.comms : {};
  }
};

/* ---------- one widget output, drawn where the page has it ---------- */
async function drawOutput(manager, script) {
  let output;
  try { output = JSON.parse(script.textContent); } catch (e) { return; }
  const spec = output && output.data && output.data[WIDGET_VIEW];
  const container = script.parentElement;
  if (!container) return;
  if (!spec) {  // a print() or a plain value: its text, as JupyterLab's renderer shows it
    const text = output.output_type === "stream" ? output.text : output.data && output.data["text/plain"];
    script.remove();
    if (text === undefined) return;
    const pre = document.createElement("pre");
    pre.textContent = Array.isArray(text) ? text.join("") : String(text);
    const div = document.createElement("div");
    div.className = "lm-Widget jp-RenderedText jp-OutputArea-output";
    div.setAttribute("data-mime-type", output.output_type === "stream" ? `application/vnd.jupyter.${output.name}` : "text/plain");
    div.appendChild(pre);
    container.appendChild(div);
    return;
  }
  const area = new Panel();
  area.addClass("jp-OutputArea-output");
  script.remove();
  if (!spec.model_id) { return; }
  try {
    const model = await manager.get_model(spec.model_id);
    await pace();
    const view = await manager.create_view(model);
    await pace();
    area.addWidget(view.luminoWidget);
  } catch (err) {
    failures.push(`widget ${spec.model_id}: ${err && err.message ? err.message : err}`);
    failedNote(area.node);
    console.error("mhkurs: widget", spec.model_id, err);
  }
  Widget.attach(area, container);
}

/* The widgets' stylesheet is fetched without blocking the first paint (media="print" until loaded, in the
   template's head): draw no widget before it applies, or the widgets would appear unstyled for a moment. */
function widgetCss() {
  const link = document.getElementById("mh-widgets-css");
  if (!link || link.media !== "print") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { link.media = "all"; resolve(); };
    link.addEventListener("load", done);
    link.addEventListener("error", resolve);
    if (link.sheet) done();
  });
}

function finish() {
  window.themeLoaded = true;
  if (typeof window.voila_finish === "function") window.voila_finish();
  document.documentElement.setAttribute("data-mh-front-end", "ready");
}

/* Start-up failed (a part that did not load, no kernel): the loading notice goes, every exercise slot not drawn
   says so, one message says what to do, and <html> is marked failed, not ready. */
function failStartUp(err) {
  console.error("mhkurs: the exercises could not be started", err);
  failures.push(`start-up: ${err && err.message ? err.message : err}`);
  window.themeLoaded = true;
  if (typeof window.voila_finish === "function") window.voila_finish();
  for (const slot of document.querySelectorAll(".mh-slot:not(.mh-slot-hidden)")) {
    if (slot.querySelector(".jupyter-widgets")) continue;
    const note = document.createElement("p");
    note.className = "mh-needs-js mh-slot-failed";
    note.textContent = "Øvelsen kunne ikke lastes.";
    slot.appendChild(note);
  }
  if (window.mhConnection) window.mhConnection.failed();
  document.documentElement.setAttribute("data-mh-front-end", "failed");
}

/* ---------- the connection to the page's kernel ---------- */
/* A phone on a train loses the network for a while. @jupyterlab/services' kernel connection then reconnects by
   itself (connectionStatus "connecting", then "connected"), keeps what the page sends meanwhile and sends it
   once connected, and jupyter_server replays what the kernel sent in between (same session): nothing is lost.
   The page says so quietly (mhConnection.reconnecting) and the trainee goes on. What services does not do well
   on a phone, this does:
   - after a websocket that failed to open, services asks the server about the kernel and, when that fails too
     (no network), tries again only 10–30 s later: here the server is asked every 2 s, and once it answers the
     connection is made again at once (kernel.reconnect());
   - a kernel the server no longer has (culled, the server restarted: 404), a kernel that died and was restarted
     (its widgets are gone), no connection after GIVE_UP_MS, or services giving up: one clear message
     (mhConnection.lost), with the next step. */
const QUIET_MS = 1500;      // a blip shorter than this shows nothing
const PROBE_MS = 2000;
const GIVE_UP_MS = 75_000;  // a drop of up to a minute is waited out
function watchConnection(kernel, baseUrl) {
  const ui = (name, arg) => { const c = window.mhConnection; if (c && c[name]) c[name](arg); };
  const watch = { connected: false, since: 0, notice: null, probe: null, gone: false, leaving: false };
  // services' late «the websocket closed» from a socket it has already replaced (its 10–30 s retry of the kernel
  // model, when kernel.reconnect() below has been quicker) would close the new, working connection
  const onClose = kernel._onWSClose;
  kernel._onWSClose = (evt) => {
    if (evt && evt.target && kernel._ws && evt.target !== kernel._ws) return;
    onClose(evt);
  };
  function stop() {
    clearTimeout(watch.notice); clearTimeout(watch.probe);
    watch.notice = watch.probe = null; watch.since = 0;
  }
  function lost(reason) {
    if (watch.gone || watch.leaving) return;
    // a page the browser took from its HTTP cache on «Back» names a kernel that is long gone: load it anew, once
    const nav = performance.getEntriesByType("navigation")[0];
    if (reason === "gone" && !watch.connected && nav && nav.type === "back_forward" &&
        sessionStorage.getItem("mhkurs-reloaded") !== location.href) {
      sessionStorage.setItem("mhkurs-reloaded", location.href);
      window.location.reload();
      return;
    }
    watch.gone = true;
    stop();
    ui("lost", reason);
  }
  async function probe() {
    watch.probe = null;
    if (watch.gone || watch.leaving || kernel.isDisposed || kernel.connectionStatus === "connected") return;
    if (performance.now() - watch.since > GIVE_UP_MS) { lost("long"); return; }
    let status = 0, model = null;
    try {
      const r = await fetch(`${baseUrl}api/kernels/${encodeURIComponent(kernel.id)}`, { cache: "no-store", credentials: "same-origin" });
      status = r.status;
      if (r.ok) model = await r.json();
    } catch (e) { /* no network yet */ }
    if (watch.gone || watch.leaving || kernel.isDisposed || kernel.connectionStatus === "connected") return;
    if (status === 404 || (model && model.execution_state === "dead")) { lost("gone"); return; }
    const ws = kernel._ws;
    if (model && (!ws || ws.readyState >= WebSocket.CLOSING)) kernel.reconnect().catch(() => {});
    watch.probe = setTimeout(probe, PROBE_MS);
  }
  function connecting() {
    if (watch.since) return;
    watch.since = performance.now();
    watch.notice = setTimeout(() => ui("reconnecting"), QUIET_MS);
    watch.probe = setTimeout(probe, PROBE_MS / 2);
  }
  kernel.connectionStatusChanged.connect((_k, status) => {
    if (watch.leaving || watch.gone) return;
    if (status === "connected") {
      const wasDown = watch.connected && watch.since;
      watch.connected = true;
      stop();
      if (wasDown) ui("restored");
    } else if (status === "connecting") {
      if (watch.connected) connecting();
    } else if (status === "disconnected") {
      // services gave up, or the server closed the socket for good (a kernel shut down): which of the two?
      fetch(`${baseUrl}api/kernels/${encodeURIComponent(kernel.id)}`, { cache: "no-store", credentials: "same-origin" })
        .then((r) => lost(r.status === 404 ? "gone" : "long"), () => lost("long"));
    }
  });
  kernel.statusChanged.connect((_k, status) => {
    if (status === "restarting" || status === "autorestarting") lost("restarted");
    else if (status === "dead") lost("gone");
  });
  /* A kernel shut down under a page that is still connected (Voila's shutdown, a cull) says nothing on the socket,
     which the server leaves open: ask the server whether the kernel is still there when the trainee taps an
     exercise (at most every 5 s), when the page is shown again or resumed (a phone waking up), and every minute. */
  let lastCheck = -Infinity;
  async function checkKernel() {
    if (watch.gone || watch.leaving || kernel.isDisposed || watch.since) return;
    lastCheck = performance.now();
    try {
      const r = await fetch(`${baseUrl}api/kernels/${encodeURIComponent(kernel.id)}`, { cache: "no-store", credentials: "same-origin" });
      if (r.status === 404) lost("gone");
    } catch (e) { /* no network: the connection's own status says so */ }
  }
  document.addEventListener("click", (ev) => {
    if (performance.now() - lastCheck > 5000 && ev.target && ev.target.closest && ev.target.closest(".jupyter-widgets")) checkKernel();
  }, true);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") checkKernel(); });
  document.addEventListener("resume", checkKernel);
  setInterval(() => { if (document.visibilityState === "visible") checkKernel(); }, 60_000);
  // services says nothing while the first connection fails (its status stays "connecting"): ask the server then
  setTimeout(() => { if (!watch.connected && !watch.leaving) connecting(); }, 5000);
  window.addEventListener("online", () => {
    if (watch.since && !watch.probe) return;
    if (watch.since) { clearTimeout(watch.probe); probe(); }
  });
  return {
    get gone() { return watch.gone; },
    leave() { watch.leaving = true; stop(); },
    back() {
      watch.leaving = false;
      if (kernel.isDisposed || watch.gone) return;
      if (kernel.connectionStatus !== "connected") { connecting(); clearTimeout(watch.probe); probe(); }
    },
  };
}

function pageConfig() {
  const el = document.getElementById("jupyter-config-data");
  return el ? JSON.parse(el.textContent) : {};
}

/* When the page is left for good, ask the server to shut its kernel down at once (as Voila's widget manager did,
   but on "pagehide", not "beforeunload": a mailto: link fires "beforeunload" and the page stays, and a page the
   browser keeps in its back/forward cache (event.persisted) will be shown again). A page closed without
   "pagehide" (a crash) is handled by the server (mhkurs.serving). A page restored from the back/forward cache
   reconnects; if its kernel is gone meanwhile, it is loaded again (the trainee's record is kept by the server or
   the browser, not by the page). */
function shutdownOnLeave(baseUrl, kernel, watch) {
  let sent = false;
  window.addEventListener("pagehide", (event) => {
    watch.leave();
    if (event.persisted || sent) return;
    sent = true;
    const data = new FormData();
    const m = document.cookie.match("\\b_xsrf=([^;]*)\\b");
    data.append("_xsrf", (m && m[1]) || "");
    navigator.sendBeacon(`${baseUrl}voila/api/shutdown/${kernel.id}`, data);
    kernel.dispose();
  });
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    document.documentElement.setAttribute("data-mh-restored", String(Date.now()));
    if (sent || kernel.isDisposed || watch.gone) { window.location.reload(); return; }
    watch.back();
  });
}

async function main() {
  const config = pageConfig();
  const kernelId = config.kernelId;
  if (!kernelId) return;
  await loadParts();
  courseErrorView(base.ErrorWidgetView);
  MODULES = { "@jupyter-widgets/base": base, "@jupyter-widgets/controls": controls, anywidget: anywidget(base) };
  const CourseWidgetManager = courseWidgetManager();
  await pace();
  const baseUrl = new URL(config.baseUrl || "/", window.location.href).href;
  const serverSettings = ServerConnection.makeSettings({
    baseUrl,
    wsUrl: "ws" + baseUrl.slice(4),  // http(s):// → ws(s)://
    appendToken: false,
  });
  const kernel = new KernelConnection({
    model: { id: kernelId, name: "python3" }, serverSettings, handleComms: true,
    // Comm messages go to the kernel's main shell, as with Voila's front end (services 7.2): since 7.5, services
    // would open a subshell (a thread of its own) for them when the kernel offers it, and the course's widget
    // callbacks would run concurrently with each other.
    commsOverSubshells: "disabled",
  });
  shutdownOnLeave(baseUrl, kernel, watchConnection(kernel, baseUrl));
  const manager = new CourseWidgetManager(kernel);
  window.mhWidgetManager = manager;
  await pace();
  await manager._loadFromKernel();
  await widgetCss();
  const scripts = [...document.querySelectorAll(`script[type="application/vnd.voila.cell-output+json"]`)];
  // in page order, one after the other: the first exercises become usable first
  for (const script of scripts) {
    await pace();
    await drawOutput(manager, script);
  }
  finish();
}

main().catch(failStartUp);
