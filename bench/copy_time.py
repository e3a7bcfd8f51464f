"""`make bench`: median wall time of `copier copy` for this template, with baselines from the same run.

Baselines: the bare `import copier` (the floor any template pays), a one-question, one-file
template in a `_subdirectory` (the leanest possible Copier template) from a local git repo like
ours, and this template with --skip-tasks (to show what the post-generation task costs). This
template is copied from a packed clone of HEAD (bench/published.py), as from GitHub. The
copies see the real Doppler CLI logged out, or logged in against a fake API on loopback (the
task then also binds the directory; over a real network add one round trip, which overlaps
the validation), never the developer's own Doppler login.
bench/copy_phases.py then splits this template's copy into Copier's phases.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.doppler_env import doppler_env
from bench.published import published_template
from bench.report import print_medians
from tests.fake_doppler import fake_doppler
from tools.render import COPIER, DEFAULT_ANSWERS, copy_command

ROUNDS = 9


def wall_time(cmd: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(
        cmd, check=True, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def minimal_template(root: Path) -> Path:
    """A committed one-file template: the lower bound for a `copier copy` from git."""
    (root / "template").mkdir(parents=True)
    # _subdirectory, as in this template: without it Copier also walks (and excludes) .git/.
    (root / "copier.yml").write_text("_subdirectory: template\nname:\n  type: str\n  default: x\n")
    (root / "template/README.md.jinja").write_text("# {{ name }}\n")
    git = ["git", "-C", str(root), "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    return root


def main() -> None:
    samples: dict[str, list[float]] = {
        "import copier": [],
        "leanest template": [],
        "this template, no tasks": [],
        "this template, Doppler logged out": [],
        "this template, Doppler logged in": [],
    }
    with tempfile.TemporaryDirectory() as scratch, fake_doppler() as (api, _):
        tmp = Path(scratch)
        lean = minimal_template(tmp / "lean")
        template = published_template(tmp / "template")
        logged_out = doppler_env(tmp / "logged-out", api, logged_in=False)
        logged_in = doppler_env(tmp / "logged-in", api, logged_in=True)
        for round_ in range(ROUNDS):
            out = tmp / f"out-{round_}"
            samples["import copier"].append(wall_time([sys.executable, "-c", "import copier"]))
            samples["leanest template"].append(
                wall_time([COPIER, "copy", "--defaults", "--quiet", str(lean), str(out / "lean")])
            )
            no_tasks = copy_command(out / "no-tasks", DEFAULT_ANSWERS, "--skip-tasks", source=template)
            samples["this template, no tasks"].append(wall_time(no_tasks, logged_out))
            ours = copy_command(out / "ours", DEFAULT_ANSWERS, source=template)
            samples["this template, Doppler logged out"].append(wall_time(ours, logged_out))
            doppler = copy_command(out / "doppler", DEFAULT_ANSWERS, source=template)
            samples["this template, Doppler logged in"].append(wall_time(doppler, logged_in))
            shutil.rmtree(out)

    print_medians(f"copier copy wall time, median of {ROUNDS} interleaved rounds:", samples, "leanest template",
                  "the leanest template")  # fmt: skip
    with_task = statistics.median(samples["this template, Doppler logged out"])
    tasks = with_task - statistics.median(samples["this template, no tasks"])
    print(f"  the post-generation task (validation, Doppler check) adds {tasks:.3f} s")


if __name__ == "__main__":
    main()
