// Bundles src/main.ts into the Django app's static folder. Output is generated: the folder
// webapp/ui/static/ui/dist/ is gitignored and rebuilt by `npm ci && npm run build`.
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, "../webapp/ui/static/ui/dist");

/** @type {import("esbuild").BuildOptions} */
const options = {
  entryPoints: [path.join(here, "src/main.ts")],
  outfile: path.join(outdir, "app.js"),
  bundle: true,
  format: "iife", // a classic <script defer>: no module loader, nothing global but window.meshwatch
  target: ["es2022"],
  minify: true,
  sourcemap: true,
  legalComments: "linked", // cytoscape's MIT notice goes to app.js.LEGAL.txt
  metafile: true,
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context({ ...options, minify: false });
  await ctx.watch();
} else {
  const result = await esbuild.build(options);
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`built ${path.relative(process.cwd(), outdir)} (${bytes} bytes total)`);
}
