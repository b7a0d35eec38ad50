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
await esbuild.build({
  ...common,
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
await esbuild.build({
  ...common,
  entryPoints: [path.join(here, "src", "widgets.css")],
  outfile: path.join(out, "mhkurs-widgets.css"),
});
