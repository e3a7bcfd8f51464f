#!/usr/bin/env node
// Print the version and notes the next release would have, changing nothing: semantic-release's
// own dry run, with only the commit analyzer and the notes generator, so no token is needed and no
// file, commit or tag is written. `--notes-only` prints just the notes (make changelog-preview).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";

const ANALYSIS = ["@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator"];
const notesOnly = process.argv.includes("--notes-only");
// With --notes-only, standard output is the notes alone: what they stand for goes to standard error.
const say = notesOnly ? console.error : console.log;
// semantic-release's log is kept, not shown (a dry run prints the notes in it, and "Published"):
// it is the only place that says why nothing would be released.
let log = "";
const quiet = new Writable({
  write: (chunk, _encoding, done) => {
    log += chunk;
    done();
  },
});

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
// semantic-release takes one branch or a list, each a name or an object with one.
const configured = [config.branches ?? []].flat().map((each) => each?.name ?? each);
const releaseBranch = configured.find((name) => typeof name === "string") ?? "the release branch";
const tagGlob = (config.tagFormat ?? "v${version}").replace("${version}", "*");

// A git command's output, or null when it fails (outside a repository, no such ref).
function git(...args) {
  try {
    // No credential prompt: a question nobody sees would hang the preview.
    const env = { ...process.env, GIT_TERMINAL_PROMPT: "0" };
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], env }).trim();
  } catch {
    return null;
  }
}

// On another branch, preview that branch as if it were the release branch: what merging it would
// release. A detached HEAD names no branch to preview.
const branch = git("symbolic-ref", "--quiet", "--short", "HEAD");
const top = git("rev-parse", "--show-toplevel");
if (branch === null && top !== null) {
  console.error(`release-preview: HEAD is detached: check out a branch (git switch ${releaseBranch})`);
  process.exit(1);
}
const origin = git("remote", "get-url", "origin");
const elsewhere = branch !== null && configured.length > 0 && !configured.includes(branch);
const branches = elsewhere ? [branch] : config.branches;

// semantic-release fetches into the repository it runs in: every release branch not checked out
// is force-fetched over its local commits, and origin's tags come back. A throwaway clone that
// shares this repository's objects (unpushed commits and local tags included) takes the fetches.
let cwd = process.cwd();
if (top !== null) {
  cwd = mkdtempSync(join(tmpdir(), "release-preview-"));
  process.on("exit", () => rmSync(cwd, { recursive: true, force: true }));
  execFileSync("git", ["clone", "--quiet", "--shared", "--no-checkout", top, cwd], { stdio: "ignore" });
  // A relative path means the same repository from the clone only once resolved against the top.
  const target = origin !== null && isPath(origin) ? resolve(top, origin) : origin;
  const remote = target === null ? ["remote", "remove", "origin"] : ["remote", "set-url", "origin", target];
  execFileSync("git", ["-C", cwd, ...remote], { stdio: "ignore" });
}

// Neither a URL (scheme://) nor scp-like (host:path): a path, absolute or relative to the top.
function isPath(url) {
  return !/^[\w+.-]+:\/\//.test(url) && !/^[^/]+:/.test(url);
}

// What to do about a failed dry run, from semantic-release's errors.
function nextStep(errors) {
  const codes = errors.map(({ code }) => code);
  const messages = errors.map(({ message }) => String(message)).join("\n");
  if (codes.includes("ENOGITREPO")) return "run it in the package's git repository (git init, then a first commit)";
  if (codes.includes("ERELEASEBRANCHES")) {
    // semantic-release reads the release branches from origin: a new repository has none yet.
    if (!git("ls-remote", "--heads", "origin", `refs/heads/${branch}`)) {
      const instead = elsewhere ? ` (or git switch ${releaseBranch})` : "";
      return `${branch} is not on origin yet: git push -u origin ${branch}${instead}`;
    }
    if (elsewhere) {
      return `semantic-release cannot preview ${branch} as a release branch: preview from ${releaseBranch} instead`;
    }
  }
  if (/couldn't find remote ref HEAD/.test(messages)) {
    // A bare repository made with another default branch name: semantic-release fetches origin's HEAD.
    let local = null;
    if (origin && isPath(origin)) local = resolve(top ?? ".", origin);
    else if (origin?.startsWith("file:")) local = fileURLToPath(origin);
    const fix = local
      ? `git -C ${local} symbolic-ref HEAD refs/heads/${releaseBranch}`
      : `make ${releaseBranch} origin's default branch`;
    return `origin's HEAD names a branch origin does not have, and semantic-release fetches it: ${fix}`;
  }
  const clobbered = messages.match(/\[rejected\]\s+(\S+)\s+->.*would clobber existing tag/);
  if (clobbered) {
    const tag = clobbered[1];
    return (
      `the local tag ${tag} differs from origin's: see which is right (git ls-remote --tags origin ${tag}), then ` +
      `git tag -d ${tag} to take origin's, or fix origin's`
    );
  }
  if (codes.includes("ERR_INVALID_URL") && origin && isPath(origin)) {
    const url = pathToFileURL(resolve(top ?? ".", origin)).href;
    return `origin is a path, and semantic-release needs a URL: git remote set-url origin ${url}`;
  }
  if (codes.includes("ENOREPOURL")) {
    // pyproject.toml's Homepage is the GitHub repository the template was given.
    const homepage = readFileSync("pyproject.toml", "utf8").match(/^Homepage = "https:\/\/github\.com\/([^"]+)"/m);
    const remote = homepage ? `git@github.com:${homepage[1]}.git` : "git@github.com:OWNER/REPO.git";
    return `the repository has no origin remote: git remote add origin ${remote}`;
  }
  if (origin && git("ls-remote", "--heads", "origin") === null) {
    const check = "check the URL, your network and your credentials (git ls-remote origin shows why)";
    return `origin (${origin}) cannot be read: ${check}`;
  }
  return "it needs push access to origin, which semantic-release checks even in a dry run";
}

let result;
try {
  result = await semanticRelease(
    { ...config, branches, plugins, dryRun: true, ci: false },
    { cwd, env: process.env, stdout: quiet, stderr: quiet },
  );
} catch (error) {
  const errors = error.errors ?? [error];
  for (const { message } of errors) console.error(`release-preview: ${message}`);
  console.error(`release-preview: ${nextStep(errors)}`);
  process.exit(1);
}

if (!result && /is behind the remote one/.test(log)) {
  console.error(
    `release-preview: ${branch} is behind or has diverged from origin's ${branch}, and semantic-release ` +
      "previews nothing until they agree: git pull --rebase (or, for a rewritten branch, git push --force-with-lease)",
  );
  process.exit(1);
}
if (elsewhere) {
  say(`${branch} is not ${releaseBranch}: this is what merging it into ${releaseBranch} would release.`);
  // Counted from the last release tag the branch holds: a later release is missing from it.
  const newest = git("-C", cwd, "tag", "--list", tagGlob, "--sort=-v:refname")?.split("\n")[0];
  if (newest && git("-C", cwd, "merge-base", "--is-ancestor", newest, "HEAD") === null) {
    say(`But ${newest} is not in ${branch}: rebase it on ${releaseBranch} first for the real next version.`);
  }
  if (!notesOnly) console.log("");
}
if (!result) {
  if (/no relevant changes/.test(log)) {
    // The newest release tag HEAD contains: semantic-release counts the commits after it.
    const since = git("-C", cwd, "describe", "--tags", "--abbrev=0", "--match", tagGlob, "HEAD");
    const span = since ? `since ${since}` : "in any commit yet (there is no release tag)";
    say(`No release pending: no feat, fix, perf, docs or breaking change ${span}.`);
  } else {
    const said = log.trim().split("\n").at(-1) ?? "";
    say(`No release: semantic-release says: ${said.replace(/^.*?[›»]\s*\S*\s+/, "")}`);
  }
} else if (notesOnly) {
  console.log(result.nextRelease.notes);
} else {
  const { nextRelease, lastRelease } = result;
  const kind = lastRelease.version ? `${nextRelease.type}, after ${lastRelease.gitTag}` : "the first release";
  console.log(`Next release: ${nextRelease.version} (${kind})\n\n${nextRelease.notes}`);
}
