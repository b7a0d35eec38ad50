/* The anywidget model/view contract, as the course's record bridge (mhkurs.record.sync) uses it: the widget's
   `_esm` (a module's source text, or an http(s) URL; the course's own modules are bundled, see BUNDLED) is
   imported once per model; its default export (an object,
   or a function returning one) has `initialize({model})` and `render({model, el})`. Comm messages wait until
   `initialize` has run, as in anywidget's own front end (packages/anywidget/src/widget.js), so a custom message
   the kernel sends early is not lost. `_css` (text or URL) is put into the page. Hot reloading of `_esm`/`_css`
   is left out: the course does not change them after the widget is created. */

/* The course's own anywidget modules, bundled: a widget whose `_esm` is exactly one of these sources gets the bundled
   module, not an import of its text from a blob: URL, which the pages' Content-Security-Policy (script-src 'self')
   refuses. Any other source text still goes through a blob: URL (and fails visibly under that policy). */
import bridgeSource from "../../widgets/mhkurs/record/bridge.js" with { type: "text" };
import * as bridgeModule from "../../widgets/mhkurs/record/bridge.js";

const BUNDLED = new Map([[bridgeSource, bridgeModule]]);

async function loadEsm(esm) {
  if (BUNDLED.has(esm)) return BUNDLED.get(esm);
  if (/^https?:\/\//.test(esm)) return import(/* @vite-ignore */ esm);
  const url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
  try {
    return await import(/* @vite-ignore */ url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

async function loadWidget(esm) {
  const mod = await loadEsm(esm);
  if (mod.render) return { render: mod.render };  // the older form: `export function render`
  if (!mod.default) throw new Error("[anywidget] module must export a default function or object.");
  return typeof mod.default === "function" ? await mod.default() : mod.default;
}

function loadCss(css, id) {
  if (!css) return;
  if (/^https?:\/\//.test(css)) {
    const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href: css });
    document.head.appendChild(link);
    return;
  }
  const style = document.createElement("style");
  if (id) style.id = id;
  style.textContent = css;
  document.head.appendChild(style);
}

/* What anywidget hands to a widget's code: get/set/save_changes/send/on/off, with listeners tied to a context
   so they can be removed together. */
function modelProxy(model, context) {
  return {
    get: model.get.bind(model),
    set: model.set.bind(model),
    save_changes: model.save_changes.bind(model),
    send: model.send.bind(model),
    on(name, callback) { model.on(name, callback, context); },
    off(name, callback) { model.off(name, callback, context); },
    widget_manager: model.widget_manager,
  };
}

export function anywidget({ DOMWidgetModel, DOMWidgetView }) {
  class AnyModel extends DOMWidgetModel {
    initialize(...args) {
      super.initialize(...args);
      this._mhReady = (async () => {
        loadCss(this.get("_css"), this.get("_anywidget_id"));
        const widget = await loadWidget(this.get("_esm"));
        if (widget.initialize) await widget.initialize({ model: modelProxy(this, this), experimental: {} });
        return widget;
      })();
      this._mhReady.catch((e) => console.error("[anywidget]", e));
    }

    async _handle_comm_msg(...msg) {
      try { await this._mhReady; } catch (e) { /* reported above */ }
      return super._handle_comm_msg(...msg);
    }
  }

  class AnyView extends DOMWidgetView {
    async render() {
      const widget = await this.model._mhReady;
      if (widget.render) await widget.render({ model: modelProxy(this.model, this), el: this.el, experimental: {} });
    }
    remove() {
      this.model.off(null, null, this);
      return super.remove();
    }
  }

  return { AnyModel, AnyView };
}
