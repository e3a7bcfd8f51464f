"""`make demo`: render a package with the embedded defaults and run its own make targets.

Prints each step, the command it ran and how long it took, then what was built.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tools.render import DEFAULT_ANSWERS, copy_command

GIT_IDENTITY = ["-c", "user.name=copier-pypi-release demo", "-c", "user.email=demo@example.com"]


def step(title: str, cmd: list[str], cwd: Path) -> None:
    print(f"==> {title}\n    $ {shlex.join(cmd)}", flush=True)
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        sys.exit(f"demo failed at: {title} (exit {result.returncode}); the output above says why")
    print(f"    ok in {elapsed:.2f} s", flush=True)


def main(scratch: str) -> None:
    dest = Path(scratch).resolve() / "acme-widgets"
    shutil.rmtree(dest, ignore_errors=True)
    dest.parent.mkdir(parents=True, exist_ok=True)

    step("render the template with the embedded defaults", copy_command(dest, DEFAULT_ANSWERS), dest.parent)
    step("start a git repository on the release branch", ["git", "init", "-q", "-b", "main"], dest)
    step("stage the fresh render", ["git", "add", "-A"], dest)
    step("commit it", ["git", *GIT_IDENTITY, "commit", "-q", "-m", "chore: initial commit"], dest)
    step("install: uv sync creates .venv and uv.lock", ["make", "install"], dest)
    step("test: the generated test suite", ["make", "test"], dest)
    step("lint: ruff, formatting, zizmor on the workflows", ["make", "lint"], dest)
    step("build: wheel and sdist with uv build", ["make", "build"], dest)

    built = sorted(p.name for p in (dest / "dist").iterdir() if not p.name.startswith("."))
    print(f"\nDemo complete. Generated repo: {dest}\nBuilt: {', '.join(built)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/demo")
