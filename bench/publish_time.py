"""`make bench` (part 3): wall time of `make publish` against a local index, median of several.

`make publish` runs every guard, fetches the token with the real Doppler CLI (fake API on
127.0.0.1), builds from the tagged tree, looks at the index, uploads to a real pypiserver and
verifies. The floor, measured in the same run on the same index: `uv build` plus `uv publish`
alone, for another version of the same package.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import print_medians
from tests.fake_doppler import fake_doppler
from tests.gitrepo import ISOLATED_GIT_ENV
from tests.package_index import package_index
from tests.publish_world import CONFIG, PROJECT, PYPI_TOKEN, SECRET, PublishWorld, create_publish_repo

ROUNDS = 5


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    os.environ.update(ISOLATED_GIT_ENV)
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    samples: dict[str, list[float]] = {"uv build + uv publish": [], "make publish": []}
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        seed = create_publish_repo(tmp / "seed")
        with fake_doppler() as (url, doppler), package_index(tmp / "index", PYPI_TOKEN) as index:
            doppler.set_secret(PROJECT, CONFIG, SECRET, PYPI_TOKEN)
            for round_ in range(ROUNDS):
                floor = PublishWorld.clone(seed, tmp / f"floor-{round_}", url, doppler, index)
                floor.release(f"2.{round_}.0")
                env = floor.env(UV_PUBLISH_TOKEN=PYPI_TOKEN)
                dist = tmp / f"dist-{round_}"
                started = time.perf_counter()
                subprocess.run(["uv", "build", "--quiet", "--out-dir", str(dist)], cwd=floor.repo, env=env, check=True)
                subprocess.run(
                    ["uv", "publish", "--quiet", "--trusted-publishing", "never", "--publish-url", index.upload_url,
                     *map(str, dist.iterdir())], cwd=floor.repo, env=env, check=True,
                )  # fmt: skip
                samples["uv build + uv publish"].append(time.perf_counter() - started)

                world = PublishWorld.clone(seed, tmp / f"world-{round_}", url, doppler, index)
                world.release(f"1.{round_}.0")
                samples["make publish"].append(timed(["make", "-s", "publish"], world.repo, world.env()))

    title = f"publish wall time against a local pypiserver, median of {ROUNDS} interleaved rounds:"
    print_medians(title, samples, "uv build + uv publish", "the bare floor")


if __name__ == "__main__":
    main()
