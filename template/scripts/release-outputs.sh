#!/usr/bin/env bash
# After a successful release, hand `released` and `version` to later workflow steps.
# Outside GitHub Actions (no GITHUB_OUTPUT) it only reports.
set -Eeuo pipefail
version=${1:?usage: scripts/release-outputs.sh VERSION}
if [[ -n ${GITHUB_OUTPUT:-} ]]; then
  printf 'released=true\nversion=%s\n' "$version" >>"$GITHUB_OUTPUT"
fi
echo "released ${version}"
