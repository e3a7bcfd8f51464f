#!/usr/bin/env node
// Print the version and notes the next release would have, changing nothing: semantic-release's
// own dry run, with only the commit analyzer and the notes generator, so no token is needed and no
// file, commit or tag is written. `--notes-only` prints just the notes (make changelog-preview).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";

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
const releaseBranch = config.branches.map((branch) => branch.name ?? branch)[0];

// A git command's output, or null when it fails (outside a repository, no such ref).
function git(...args) {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

// semantic-release force-fetches every release branch that is not checked out, over any local
// commits on it: so on another branch, preview that branch as if it were the release branch
// (what merging it would release), and refuse a detached HEAD.
const branch = git("symbolic-ref", "--quiet", "--short", "HEAD");
if (branch === null && git("rev-parse", "--git-dir") !== null) {
  console.error(`release-preview: HEAD is detached: check out a branch (git switch ${releaseBranch})`);
  process.exit(1);
}
const elsewhere = branch !== null && !config.branches.some((each) => (each.name ?? each) === branch);
const branches = elsewhere ? [branch] : config.branches;

// What to do about a failed dry run, by semantic-release's error codes.
function nextStep(codes) {
  if (codes.includes("ENOGITREPO")) return "run it in the package's git repository (git init, then a first commit)";
  if (elsewhere && codes.includes("ERELEASEBRANCHES")) {
    return `${branch} is not on origin yet: git push -u origin ${branch} (or git switch ${releaseBranch})`;
  }
  const origin = git("remote", "get-url", "origin");
  if (codes.includes("ERR_INVALID_URL") && origin?.startsWith("/")) {
    const url = pathToFileURL(origin).href;
    return `origin is a path, and semantic-release needs a URL: git remote set-url origin ${url}`;
  }
  if (codes.includes("ENOREPOURL")) {
    // pyproject.toml's Homepage is the GitHub repository the template was given.
    const homepage = readFileSync("pyproject.toml", "utf8").match(/^Homepage = "https:\/\/github\.com\/([^"]+)"/m);
    const remote = homepage ? `git@github.com:${homepage[1]}.git` : "git@github.com:OWNER/REPO.git";
    return `the repository has no origin remote: git remote add origin ${remote}`;
  }
  return "it needs push access to origin, which semantic-release checks even in a dry run";
}

// semantic-release's own log is quiet: in a dry run it prints the notes too, and "Published".
let result;
try {
  result = await semanticRelease(
    { ...config, branches, plugins, dryRun: true, ci: false },
    { stdout: quiet, stderr: quiet },
  );
} catch (error) {
  const errors = error.errors ?? [error];
  for (const { message } of errors) console.error(`release-preview: ${message}`);
  console.error(`release-preview: ${nextStep(errors.map(({ code }) => code))}`);
  process.exit(1);
}

if (elsewhere && !notesOnly) {
  console.log(`${branch} is not ${releaseBranch}: this is what merging it into ${releaseBranch} would release.\n`);
}
if (!result) {
  console.log("No release pending: no commit since the last release is a feat, fix, perf, docs or breaking change.");
} else if (notesOnly) {
  console.log(result.nextRelease.notes);
} else {
  const { nextRelease, lastRelease } = result;
  const kind = lastRelease.version ? `${nextRelease.type}, after ${lastRelease.gitTag}` : "the first release";
  console.log(`Next release: ${nextRelease.version} (${kind})\n\n${nextRelease.notes}`);
}
