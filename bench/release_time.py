"""`make bench` (part 2): wall time of one full local release, median of several.

A release here is the real semantic-release with the generated .releaserc.json (GitHub plugin
left out, as in the tests) cutting 1.0.1 from one `fix:` commit: analysis, notes, CHANGELOG,
version sync (uv + npm), release commit, tag, push to a local bare remote.
Baselines from the same run: the version-sync script alone, and semantic-release's bare
start-up (a dry run with only the commit analyzer, finding nothing to release).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import print_medians
from tests.environment import clean_env
from tests.gitrepo import ISOLATED_GIT_ENV
from tests.release_repo import HARNESS, ReleaseRepo

ROUNDS = 5
BARE_START = """
import { createRequire } from "node:module";
const require = createRequire(`${process.cwd()}/package.json`);
const { default: run } = await import(require.resolve("semantic-release"));
const plugins = ["@semantic-release/commit-analyzer"];
await run({ branches: ["main"], plugins, dryRun: true, ci: false }, { stdout: process.stderr, stderr: process.stderr });
"""


def timed(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=clean_env(), check=True, capture_output=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    os.environ.update(ISOLATED_GIT_ENV)
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    samples: dict[str, list[float]] = {"semantic-release start-up": [], "set-version.sh alone": [], "full release": []}
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        seed = ReleaseRepo.create(tmp / "seed")
        seed.commit("feat: first feature")
        subprocess.run(["node", str(HARNESS)], cwd=seed.path, env=clean_env(), check=True, capture_output=True)
        for round_ in range(ROUNDS):
            repo = seed.clone_to(tmp / f"round-{round_}")
            bare_start = ["node", "--input-type=module", "-e", BARE_START]
            samples["semantic-release start-up"].append(timed(bare_start, repo.path))
            samples["set-version.sh alone"].append(timed(["scripts/set-version.sh", "1.0.1"], repo.path))
            subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo.path, check=True)
            repo.commit("fix: one fix")
            started = time.perf_counter()
            result = repo.release()
            samples["full release"].append(time.perf_counter() - started)
            assert json.loads(result.stdout.splitlines()[-1])["version"] == "1.0.1", result.stderr[-2000:]

    title = f"local release wall time, median of {ROUNDS} rounds:"
    print_medians(title, samples, "semantic-release start-up", "semantic-release start-up")


if __name__ == "__main__":
    main()
