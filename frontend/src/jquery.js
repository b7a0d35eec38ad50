/* In place of jQuery (88 KB minified): ipywidgets 8 draws its views without it (Backbone.NativeView), but still
   wraps each view's element once (`view.$el = $(el)`, `el instanceof $`). This is that wrapper, with the few
   methods a widget's own code is likely to call on `$el`; the course's widgets call none. */
export default function $(el) {
  if (!(this instanceof $)) return new $(el);
  const nodes = el == null ? [] : el.nodeType || el === window ? [el] : Array.from(el);
  nodes.forEach((n, i) => { this[i] = n; });
  this.length = nodes.length;
}
$.prototype.each = function (fn) { for (let i = 0; i < this.length; i++) fn.call(this[i], i, this[i]); return this; };
$.prototype.empty = function () { return this.each((_, n) => { n.textContent = ""; }); };
$.prototype.remove = function () { return this.each((_, n) => n.remove()); };
$.prototype.addClass = function (c) { return this.each((_, n) => n.classList.add(...String(c).split(/\s+/).filter(Boolean))); };
$.prototype.removeClass = function (c) { return this.each((_, n) => n.classList.remove(...String(c).split(/\s+/).filter(Boolean))); };
$.prototype.attr = function (name, value) {
  if (value === undefined && typeof name === "string") return this[0] ? this[0].getAttribute(name) : undefined;
  const attrs = typeof name === "string" ? { [name]: value } : name;
  return this.each((_, n) => Object.entries(attrs).forEach(([k, v]) => n.setAttribute(k, v)));
};
$.prototype.find = function (selector) { return $(this[0] ? this[0].querySelectorAll(selector) : []); };
