/* mhkurs: the course pages' widget front end (issue 18).

   Voila's own front end is a JupyterLab application (about 5.5 MB of JavaScript) that draws the page's widgets.
   The course pages need only a part of it: a connection to the page's kernel, ipywidgets' models and views
   (@jupyter-widgets/base and controls) and the record bridge (an anywidget). This file is that part:
   - reads #jupyter-config-data (baseUrl, kernelId) and connects to the kernel Voila started for the page;
   - registers the `jupyter.widget` comm target and loads every widget model from the kernel
     (ManagerBase._loadFromKernel, the `jupyter.widget.control` comm);
   - draws each widget output (script[type="application/vnd.voila.cell-output+json"]) where it was sent, in the
     DOM Voila's front end made: div.lm-Widget.lm-Panel.jp-OutputArea-output > the view (.jupyter-widgets …);
   - asks the server to shut the kernel down when the page is left (as Voila's widget manager did);
   - once every widget is drawn, takes the page's loading notice away (window.voila_finish, as Voila's theme
     plugin did) and sets data-mh-front-end="ready" on <html>.
   Work is cut into short tasks (the libraries evaluated part by part; yields between models, comms and views),
   so the main thread is never blocked long: Lighthouse's total blocking time counts every task over 50 ms. */

import { anywidget } from "./anywidget.js";

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

const courseWidgetManager = () => class CourseWidgetManager extends ManagerBase {
  constructor(kernel) {
    super();
    this.kernel = kernel;
    kernel.registerCommTarget(this.comm_target_name, async (comm, msg) => {
      await this.handle_comm_open(new base.shims.services.Comm(comm), msg);
    });
  }

  async loadClass(className, moduleName, _moduleVersion) {
    await pace();  // every model and view is created through here: the place to cut long tasks
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
    if (data || metadata) comm.open(data, metadata, buffers);
    return new base.shims.services.Comm(comm);
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
    area.node.textContent = "Denne delen av siden kunne ikke vises. Last siden på nytt.";
    area.addClass("jupyter-widgets");
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

function pageConfig() {
  const el = document.getElementById("jupyter-config-data");
  return el ? JSON.parse(el.textContent) : {};
}

/* As Voila's widget manager does: when the page is left, ask the server to shut its kernel down at once (a page
   closed without "beforeunload" – a crash, a lost connection – is handled by the server, mhkurs.serving). */
function shutdownOnLeave(baseUrl, kernel) {
  let sent = false;
  const send = () => {
    if (sent) return;
    sent = true;
    const data = new FormData();
    const m = document.cookie.match("\\b_xsrf=([^;]*)\\b");
    data.append("_xsrf", (m && m[1]) || "");
    navigator.sendBeacon(`${baseUrl}voila/api/shutdown/${kernel.id}`, data);
    kernel.dispose();
  };
  window.addEventListener("beforeunload", send);
}

async function main() {
  const config = pageConfig();
  const kernelId = config.kernelId;
  if (!kernelId) return;
  await loadParts();
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
  shutdownOnLeave(baseUrl, kernel);
  const manager = new CourseWidgetManager(kernel);
  window.mhWidgetManager = manager;
  await pace();
  try {
    await manager._loadFromKernel();
  } catch (err) {
    console.error("mhkurs: loading the widgets from the kernel failed", err);
  }
  await widgetCss();
  const scripts = [...document.querySelectorAll(`script[type="application/vnd.voila.cell-output+json"]`)];
  // in page order, one after the other: the first exercises become usable first
  for (const script of scripts) {
    await pace();
    await drawOutput(manager, script);
  }
  finish();
}

main().catch((err) => { console.error("mhkurs:", err); finish(); });
