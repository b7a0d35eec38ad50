// Builds the course's widget front end (src/main.js) and its stylesheet into the template's static folder:
// mhkurs-widgets.js (an ES module) with its parts in chunks/ (names carry a content hash), mhkurs-widgets.css.
// `node build.mjs` writes them there; `node build.mjs --out DIR` writes them elsewhere (the test compares the two).
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const i = process.argv.indexOf("--out");
const out = i > 0 ? path.resolve(process.argv[i + 1])
  : path.join(here, "..", "share", "jupyter", "voila", "templates", "mhkurs", "static");

fs.rmSync(path.join(out, "chunks"), { recursive: true, force: true });
const common = { bundle: true, minify: true, legalComments: "none", logLevel: "warning", charset: "utf8" };
const js = await esbuild.build({
  ...common,
  metafile: true,
  entryPoints: { "mhkurs-widgets": path.join(here, "src", "main.js") },
  outdir: out,
  format: "esm",
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  target: ["chrome109", "firefox115", "safari16"],
  define: { "process.env.NODE_ENV": '"production"' },
  // smaller stand-ins for packages the course pages do not need whole (see each file)
  alias: {
    "sanitize-html": path.join(here, "src", "sanitize-html.js"),
    jquery: path.join(here, "src", "jquery.js"),
    nouislider: path.join(here, "src", "nouislider.js"),
  },
});
/* The parts are evaluated one after the other (main.js), but fetched at once: the entry point starts with a
   <link rel="modulepreload"> for each chunk (fetched and compiled in parallel, evaluated only when imported). */
{
  const entry = path.join(out, "mhkurs-widgets.js");
  const chunks = Object.keys(js.metafile.outputs).filter((f) => /\/chunks\/[^/]+\.js$/.test(f))
    .map((f) => "./chunks/" + path.basename(f)).sort();
  const preload = `for(const c of ${JSON.stringify(chunks)}){const l=document.createElement("link");` +
    `l.rel="modulepreload";l.href=new URL(c,import.meta.url).href;document.head.appendChild(l)}\n`;
  fs.writeFileSync(entry, preload + fs.readFileSync(entry, "utf8"));
}
const css = await esbuild.build({
  ...common,
  metafile: true,
  entryPoints: [path.join(here, "src", "widgets.css")],
  outfile: path.join(out, "mhkurs-widgets.css"),
});

// The licences of the npm packages in the built files (most of them BSD or MIT, which ask that their notices go
// with copies in any form; the minified files carry none): mhkurs-widgets.LICENSES.txt, next to them.
const packages = new Map();
for (const input of [...Object.keys(js.metafile.inputs), ...Object.keys(css.metafile.inputs)]) {
  // the innermost package (a nested node_modules/ holds a dependency's own copy of another package)
  const all = [...input.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)];
  if (!all.length) continue;
  const m = all[all.length - 1];
  const dir = path.join(here, input.slice(0, m.index + m[0].length));
  if (!packages.has(m[1])) packages.set(m[1], dir);
}
// Jupyter's and Lumino's npm packages ship without a licence file: their repositories' LICENSE files are in
// licenses/ (see its README).
const UPSTREAM = [
  [/^@jupyter-widgets\//, "jupyter-widgets.LICENSE"],
  [/^@jupyterlab\//, "jupyterlab.LICENSE"],
  [/^@lumino\//, "lumino.LICENSE"],
];
function upstreamLicence(name) {
  const hit = UPSTREAM.find(([re]) => re.test(name));
  return hit ? fs.readFileSync(path.join(here, "licenses", hit[1]), "utf8").trim() : null;
}
const notices = [...packages.keys()].sort().map((name) => {
  const dir = packages.get(name);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const file = fs.readdirSync(dir).sort().find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? fs.readFileSync(path.join(dir, file), "utf8").trim() : upstreamLicence(name);
  if (!text) throw new Error(`no licence text for ${name}: add its upstream LICENSE to licenses/`);
  return `${name} ${meta.version} (${meta.license || "?"})\n${"-".repeat(40)}\n${text}\n`;
});
fs.writeFileSync(path.join(out, "mhkurs-widgets.LICENSES.txt"),
  "Third-party software in mhkurs-widgets.js, chunks/ and mhkurs-widgets.css (built from frontend/ by build.mjs)\n\n" +
  notices.join("\n"));
