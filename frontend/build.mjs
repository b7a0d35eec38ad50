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
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m && !packages.has(m[1])) packages.set(m[1], path.join(here, "node_modules", m[1]));
}
// Jupyter's and Lumino's npm packages ship without a licence file; their repositories' licence is BSD-3-Clause.
function bsd3(holder) {
  return `Copyright (c) ${holder}. All rights reserved.

Redistribution and use in source and binary forms, with or without modification, are permitted provided that the
following conditions are met:
1. Redistributions of source code must retain the above copyright notice, this list of conditions and the
   following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice, this list of conditions and the
   following disclaimer in the documentation and/or other materials provided with the distribution.
3. Neither the name of the copyright holder nor the names of its contributors may be used to endorse or promote
   products derived from this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES,
INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY,
WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.`;
}
const notices = [...packages.keys()].sort().map((name) => {
  const dir = packages.get(name);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const file = fs.readdirSync(dir).sort().find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? fs.readFileSync(path.join(dir, file), "utf8").trim()
    : meta.license === "BSD-3-Clause" ? bsd3(name.startsWith("@lumino/") ? "Project Jupyter Contributors" : "Jupyter Development Team")
    : `License: ${meta.license || "see the package"}`;
  return `${name} ${meta.version} (${meta.license || "?"})\n${"-".repeat(40)}\n${text}\n`;
});
fs.writeFileSync(path.join(out, "mhkurs-widgets.LICENSES.txt"),
  "Third-party software in mhkurs-widgets.js, chunks/ and mhkurs-widgets.css (built from frontend/ by build.mjs)\n\n" +
  notices.join("\n"));
