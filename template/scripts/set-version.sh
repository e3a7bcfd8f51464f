#!/usr/bin/env bash
# Write a release version everywhere it lives, then prove it. semantic-release runs this in its
# prepare step (before the release commit and tag), so any failure here stops the release untagged.
# TOML-aware on purpose: a sed over pyproject.toml would rewrite `version =` in every table.
set -Eeuo pipefail

# Every file this script writes: the release commit must carry them all (make validate checks).
readonly WRITES=(pyproject.toml uv.lock package.json package-lock.json)
case ${1:-} in
  --files)
    echo "${WRITES[*]}"
    exit 0
    ;;
  -h | --help)
    echo "usage: scripts/set-version.sh X.Y.Z   write the version into ${WRITES[*]}"
    echo "       scripts/set-version.sh --files  list those files (the release commit must carry them)"
    exit 0
    ;;
esac

version=${1:-}
# Plain X.Y.Z only: a semver pre-release (1.0.0-beta.1) is spelled differently under PEP 440, and
# uv would write 01.2.3 to pyproject.toml as 1.2.3 while npm keeps it as given.
if [[ ! $version =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]]; then
  echo "set-version: expected a release version such as 1.2.3 (no leading zeros), got '${version}'" >&2
  exit 2
fi
cd "$(dirname "$0")/.."

fail() {
  echo "set-version: $*" >&2
  echo "set-version: nothing was committed or tagged; fix the cause, then re-run the release" >&2
  exit 1
}

# [project].version and uv.lock in one step; nothing else in pyproject.toml changes.
uv version --quiet --no-sync "$version" || fail "uv version could not set ${version} (see uv's error above)"
# package.json and package-lock.json (root entries only): the one place their version is written,
# in npm's own layout (2-space JSON, final newline), read back to prove it.
# shellcheck disable=SC2016 # the ${...} below are JavaScript template literals, not shell
node -e '
  const fs = require("node:fs");
  const version = process.argv[1];
  const update = (file, set) => {
    const data = JSON.parse(fs.readFileSync(file, "utf8"));
    set(data);
    fs.writeFileSync(file, JSON.stringify(data, null, 2) + "\n");
    if (JSON.parse(fs.readFileSync(file, "utf8")).version !== version) throw new Error(`${file} did not take ${version}`);
  };
  update("package.json", (pkg) => { pkg.version = version; });
  update("package-lock.json", (lock) => { lock.version = version; lock.packages[""].version = version; });
' "$version" || fail "could not write ${version} into package.json and package-lock.json (see node's error above)"

written=$(uv version --short) || fail "uv cannot read the version back from pyproject.toml"
[[ $written == "$version" ]] || fail "pyproject.toml says ${written}, expected ${version}"
uv lock --check >/dev/null 2>&1 || fail "uv.lock is not consistent with pyproject.toml after the update (run: uv lock --check)"

echo "set-version: ${WRITES[*]} are at ${version}"
