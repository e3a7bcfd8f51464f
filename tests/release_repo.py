"""A generated repo wired to a local bare remote, released with the real semantic-release.

The toolchain is the template's own package-lock.json, installed once by `make release-tools`
and linked into each repo as node_modules. The only change to the product under test: the
harness leaves @semantic-release/github out, since there is no GitHub here.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.commands import run
from tests.environment import clean_env
from tests.gitrepo import commit_everything, git
from tests.rendering import default_answers
from tools.render import REPO_ROOT, copier_copy

HARNESS = Path(__file__).with_name("release_harness.mjs")
NODE_MODULES = REPO_ROOT / "build/release-tools/node_modules"

# Extra `version =` keys in other tables: a release must leave every one of them alone.
OTHER_VERSION_KEYS = """
[tool.other]
version = "9.9.9"

[tool.acme.nested]
version = '0.1'
"""


def ensure_release_tools() -> Path:
    """`make release-tools` once per machine (a file lock keeps parallel workers from racing)."""
    lock_path = REPO_ROOT / "build/.release-tools.lock"
    lock_path.parent.mkdir(exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        run(["make", "--no-print-directory", "release-tools"], REPO_ROOT)
    return NODE_MODULES


@dataclass(frozen=True)
class ReleaseRepo:
    path: Path
    remote: Path

    @classmethod
    def create(cls, root: Path) -> ReleaseRepo:
        """Render, lock, commit and push an unreleased package (version 0.0.0, no tags)."""
        root.mkdir(parents=True)
        repo, remote = root / "acme-widgets", root / "remote.git"
        result = copier_copy(repo, default_answers())
        assert result.returncode == 0, result.stderr
        with (repo / "pyproject.toml").open("a") as pyproject:
            pyproject.write(OTHER_VERSION_KEYS)
        run(["uv", "lock", "--quiet"], repo)
        (repo / "node_modules").symlink_to(ensure_release_tools())
        commit_everything(repo, "chore: initial commit")
        run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], root)
        git(repo, "remote", "add", "origin", remote.as_uri())
        git(repo, "push", "-q", "origin", "main")
        return cls(repo, remote)

    def clone_to(self, root: Path) -> ReleaseRepo:
        """An independent copy of repo and remote, for one test to change."""
        shutil.copytree(self.path.parent, root, symlinks=True)
        copy = ReleaseRepo(root / self.path.name, root / self.remote.name)
        git(copy.path, "remote", "set-url", "origin", copy.remote.as_uri())
        return copy

    def commit(self, message: str) -> None:
        git(self.path, "commit", "-q", "--allow-empty", "-m", message)
        git(self.path, "push", "-q", "origin", "main")

    def release(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["node", str(HARNESS), *args],
            cwd=self.path,
            env=clean_env(),
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )

    def release_ok(self) -> dict:
        result = self.release()
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    def remote_tags(self) -> set[str]:
        refs = git(self.path, "ls-remote", "--tags", "origin")
        return {line.rsplit("refs/tags/", 1)[1] for line in refs.splitlines() if line}

    def remote_subject(self) -> str:
        return git(self.remote, "log", "-1", "--format=%s", "main")
