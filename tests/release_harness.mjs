// Test harness: run the real semantic-release API on the repo in the working directory with
// that repo's own .releaserc.json, minus @semantic-release/github (no GitHub here). Everything else,
// version sync and git plugin included, runs for real against the repo's origin remote.
// Prints one JSON line: {"released": bool, "version": string|null}.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(`${process.cwd()}/package.json`);
const { default: semanticRelease } = await import(require.resolve("semantic-release"));
const config = JSON.parse(readFileSync(".releaserc.json", "utf8"));
const plugins = config.plugins.filter((plugin) => (Array.isArray(plugin) ? plugin[0] : plugin) !== "@semantic-release/github");
const dryRun = process.argv.includes("--dry-run");

const result = await semanticRelease({ ...config, plugins, ci: false, noCi: true, dryRun }, { stdout: process.stderr, stderr: process.stderr });
console.log(JSON.stringify({ released: Boolean(result), version: result ? result.nextRelease.version : null }));
