/**
 * The bot's command-line programs as `npm start` runs them: compiled to dist/ (`npm run build`).
 * Tests that spawn a program run these, so they test what ships; vitest's global setup
 * (tests/global-setup.ts) brings dist/ up to date before any test runs.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..");

export type CliName = "start" | "chat" | "ask" | "eval" | "ingest";

/** The compiled entry point of `npm run <name>`, e.g. dist/cli/start.js. */
export function builtCli(name: CliName): string {
  return path.join(REPO_ROOT, "dist", "cli", `${name}.js`);
}

/** `npm run build`: tsc in build mode, which only checks timestamps when dist/ is current. */
export function build(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-b", "tsconfig.build.json"], { cwd: REPO_ROOT, stdio: "inherit" });
}
