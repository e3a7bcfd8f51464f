#!/usr/bin/env node
// Print the version and notes the next release would have, changing nothing: semantic-release's
// own dry run, with only the commit analyzer and the notes generator, so no token is needed and no
// file, commit or tag is written. `--notes-only` prints just the notes (make changelog-preview).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Writable } from "node:stream";

const ANALYSIS = ["@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator"];
const notesOnly = process.argv.includes("--notes-only");
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

const require = createRequire(`${process.cwd()}/package.json`);
let semanticRelease;
try {
  ({ default: semanticRelease } = await import(require.resolve("semantic-release")));
} catch {
  console.error("release-preview: semantic-release is not installed here; run: make release-tools");
  process.exit(3);
}

const config = JSON.parse(readFileSync(".releaserc.json", "utf8"));
const plugins = config.plugins.filter((plugin) => ANALYSIS.includes(Array.isArray(plugin) ? plugin[0] : plugin));

// What to do about a failed dry run, by semantic-release's error codes.
function nextStep(codes) {
  if (codes.includes("ENOGITREPO")) return "run it in the package's git repository (git init, then a first commit)";
  if (codes.includes("ENOREPOURL")) {
    // pyproject.toml's Homepage is the GitHub repository the template was given.
    const homepage = readFileSync("pyproject.toml", "utf8").match(/^Homepage = "https:\/\/github\.com\/([^"]+)"/m);
    const remote = homepage ? `git@github.com:${homepage[1]}.git` : "git@github.com:OWNER/REPO.git";
    return `the repository has no origin remote: git remote add origin ${remote}`;
  }
  return "it needs the release branch checked out and push access to origin (checked even in a dry run)";
}

// semantic-release's own log is quiet: in a dry run it prints the notes too, and "Published".
let result;
try {
  result = await semanticRelease({ ...config, plugins, dryRun: true, ci: false }, { stdout: quiet, stderr: quiet });
} catch (error) {
  const errors = error.errors ?? [error];
  for (const { message } of errors) console.error(`release-preview: ${message}`);
  console.error(`release-preview: ${nextStep(errors.map(({ code }) => code))}`);
  process.exit(1);
}

if (!result) {
  console.log(
    `No release pending (or HEAD is not on ${config.branches.join(", ")}): no commit since the last release is a ` +
      "feat, fix, perf, docs or breaking change.",
  );
} else if (notesOnly) {
  console.log(result.nextRelease.notes);
} else {
  const { nextRelease, lastRelease } = result;
  const kind = lastRelease.version ? `${nextRelease.type}, after ${lastRelease.gitTag}` : "the first release";
  console.log(`Next release: ${nextRelease.version} (${kind})\n\n${nextRelease.notes}`);
}
