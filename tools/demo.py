"""`make demo`: the whole local flow on embedded defaults, on this machine only.

1. Render a package with the README's required answers (publish_via=local-doppler).
2. Its own `make install test lint build`.
3. A release by the real semantic-release with the generated .releaserc.json, pushed to a local
   bare repository. The GitHub plugin is left out: there is no GitHub here.
4. `make token-set` and `make publish` with the real Doppler CLI, which talks to a stand-in
   Doppler API on 127.0.0.1 (tests/fake_doppler.py), and a real pypiserver on 127.0.0.1.
5. The package installed back from that index into a fresh virtualenv.

Prints each step, the command it ran and how long it took. Servers stop when the demo ends.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.environment import clean_env, doppler_home
from tests.fake_doppler import SERVICE_TOKEN, fake_doppler
from tests.gitrepo import ISOLATED_GIT_ENV
from tests.package_index import package_index
from tests.publish_world import ORIGIN, PYPI_TOKEN, point_origin_at
from tests.release_repo import HARNESS, NODE_MODULES
from tools.render import DEFAULT_ANSWERS, copy_command


def step(
    title: str, cmd: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None, show=False
) -> str:
    print(f"==> {title}\n    $ {shlex.join(cmd)}", flush=True)
    started = time.perf_counter()
    result = subprocess.run(
        cmd, cwd=cwd, env=env, input=stdin if stdin is not None else "", capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        sys.exit(f"demo failed at: {title} (exit {result.returncode}); the output above says why")
    if show:
        print(result.stdout, end="")
    print(f"    ok in {time.perf_counter() - started:.2f} s", flush=True)
    return result.stdout


# Left in every demo folder: only a folder that has it (or an empty one) is ever deleted.
MARKER = ".copier-pypi-release-demo"


def main(scratch: str) -> None:
    root = Path(scratch).resolve()
    names = {path.name for path in root.iterdir()} if root.is_dir() else set()
    # An earlier demo has the marker, or (made before it existed) the demo's two folders.
    if names and MARKER not in names and not {"acme-widgets", "remote.git"} <= names:
        sys.exit(f"DEMO_DIR {root} is not empty and is no earlier demo: name a new or empty folder")
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / MARKER).write_text("make demo deletes and re-creates this folder\n")
    repo, remote = root / "acme-widgets", root / "remote.git"
    env = {**clean_env(), **ISOLATED_GIT_ENV}

    step("render the template with the embedded defaults", copy_command(repo, DEFAULT_ANSWERS), root, env)
    step("the generated repo's own checks", ["make", "install", "test", "lint", "build"], repo, env)

    bare = ["git", "init", "-q", "--bare", "-b", "main", str(remote)]
    step("a bare repository stands in for github.com/acme/acme-widgets", bare, root, env)
    step("start git on main", ["git", "init", "-q", "-b", "main"], repo, env)
    step("stage the render and its uv.lock", ["git", "add", "-A"], repo, env)
    step("commit it as a feature", ["git", "commit", "-q", "-m", "feat: first version of Acme Widgets"], repo, env)
    step("origin is the GitHub URL the scripts expect", ["git", "remote", "add", "origin", ORIGIN], repo, env)
    point_origin_at(repo, remote)
    step("push main", ["git", "push", "-q", "origin", "main"], repo, env)

    (repo / "node_modules").symlink_to(NODE_MODULES)
    released = step("release: semantic-release cuts v1.0.0 (GitHub plugin left out)", ["node", str(HARNESS)], repo, env)
    version = json.loads(released.strip().splitlines()[-1])["version"]
    print(f"    released {version}: tag v{version} is on the bare remote")

    with (
        tempfile.TemporaryDirectory() as services,
        fake_doppler() as (doppler_url, _),
        package_index(Path(services) / "index", PYPI_TOKEN) as index,
    ):
        home = doppler_home(Path(services) / "home")
        publish_env = {
            **env,
            "HOME": str(home),
            "DOPPLER_API_HOST": doppler_url,
            "DOPPLER_TOKEN": SERVICE_TOKEN,
            "UV_PUBLISH_URL": index.upload_url,
            "UV_PUBLISH_CHECK_URL": index.check_url,
        }
        token_set = ["make", "-s", "token-set"]
        step("store the PyPI token in Doppler (piped, never in argv)", token_set, repo, publish_env, PYPI_TOKEN)
        step("publish to the local index", ["make", "-s", "publish"], repo, publish_env, show=True)
        venv = Path(services) / "venv"
        step("a fresh virtualenv", ["uv", "venv", "--quiet", str(venv)], root, env)
        step("install the package back from the index",
             ["uv", "pip", "install", "--quiet", "--python", str(venv), "--index-url", index.check_url,
              f"acme-widgets=={version}"], root, env)  # fmt: skip
        show_version = [str(venv / "bin/python"), "-c", "import acme_widgets; print(acme_widgets.__version__)"]
        installed = step("import it", show_version, root, env)

    print(f"\nDemo complete: acme-widgets {installed.strip()} released, published, verified and installed.")
    print(f"Generated repo: {repo}")


if __name__ == "__main__":
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    main(sys.argv[1] if len(sys.argv) > 1 else "build/demo")
