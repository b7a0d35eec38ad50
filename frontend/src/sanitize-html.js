/* In place of the npm package sanitize-html (with htmlparser2, entities and postcss: about 200 KB minified), for the
   one use the widget manager makes of it: ManagerBase.inline_sanitize, which cleans a widget description that
   has description_allow_html set, with a fixed list of allowed tags and attributes. The browser parses the HTML
   (an inert <template>); elements not allowed are replaced by their content (script, style and the like are
   dropped whole), attributes not allowed are removed, and URLs must be http(s), mailto, relative or anchors. */
const DROP = new Set(["script", "style", "textarea", "option", "noscript", "iframe", "object", "embed", "template"]);
const SAFE_URL = /^(?:https?:|mailto:|[^:]*$)/i;

function allowedAttr(tag, name, rules) {
  const lists = [rules["*"] || [], rules[tag] || []];
  return lists.some((list) => list.some((a) => a === name || (a.endsWith("*") && name.startsWith(a.slice(0, -1)))));
}

function clean(node, options) {
  for (const child of [...node.childNodes]) {
    if (child.nodeType === 3) continue;  // text
    if (child.nodeType !== 1) { child.remove(); continue; }
    const tag = child.localName;
    if (DROP.has(tag)) { child.remove(); continue; }
    clean(child.content || child, options);
    if (!options.allowedTags.includes(tag)) { child.replaceWith(...child.childNodes); continue; }
    for (const attr of [...child.attributes]) {
      const name = attr.name.toLowerCase();
      if (!allowedAttr(tag, name, options.allowedAttributes || {}) ||
          ((name === "href" || name === "src") && !SAFE_URL.test(attr.value.replace(/[\s\u0000-\u001f]/g, "")))) {
        child.removeAttribute(attr.name);
      }
    }
  }
}

export default function sanitize(html, options) {
  const template = document.createElement("template");
  template.innerHTML = String(html);
  clean(template.content, options || { allowedTags: [], allowedAttributes: {} });
  const out = document.createElement("div");
  out.appendChild(template.content);
  return out.innerHTML;
}
