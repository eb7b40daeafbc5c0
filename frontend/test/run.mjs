// `npm test`: bundles each test/*.test.ts with esbuild (already the build tool, so no second
// TypeScript toolchain) and runs them with Node's own test runner, node:test.
import * as esbuild from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = mkdtempSync(path.join(tmpdir(), "meshwatch-test-"));
const entries = readdirSync(here).filter((f) => f.endsWith(".test.ts")).map((f) => path.join(here, f));
try {
  await esbuild.build({
    entryPoints: entries,
    outdir: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: ["node20"],
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
  const files = readdirSync(out).filter((f) => f.endsWith(".mjs")).map((f) => path.join(out, f));
  const run = spawnSync(process.execPath, ["--test", ...files], { stdio: "inherit" });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
