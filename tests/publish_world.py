"""Everything `make publish` talks to, for real, on this machine.

A generated repo (publish_via=local-doppler) whose origin is the expected GitHub URL, rewritten
by git's `insteadOf` to a local bare repo; the real `doppler` CLI against the fake Doppler API;
a real pypiserver behind the recording proxy; a private HOME for Doppler's user config.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.commands import attempt, run
from tests.environment import clean_env, doppler_home
from tests.fake_doppler import SERVICE_TOKEN, DopplerState
from tests.gitrepo import commit_everything, git
from tests.package_index import Index
from tests.rendering import default_answers
from tools.render import copier_copy

# Well-formed, but only the test index accepts it.
PYPI_TOKEN = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLXRlc3QtdG9rZW4tZm9yLXB1Ymxpc2gtdGVzdHMAAA"
ORIGIN = "git@github.com:acme/acme-widgets.git"
PROJECT, CONFIG, SECRET = "acme-widgets", "dev", "PYPI_TOKEN"


def create_publish_repo(root: Path) -> Path:
    """Render, lock, commit and push a local-doppler package; returns the repo path."""
    repo, remote = root / "acme-widgets", root / "remote.git"
    result = copier_copy(repo, default_answers())
    assert result.returncode == 0, result.stderr
    run(["uv", "lock", "--quiet"], repo)
    commit_everything(repo, "chore: initial commit")
    run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], root)
    git(repo, "remote", "add", "origin", ORIGIN)
    point_origin_at(repo, remote)
    git(repo, "push", "-q", "origin", "main")
    return repo


def point_origin_at(repo: Path, remote: Path) -> None:
    """origin keeps its GitHub URL; git fetches and pushes to the local bare repo instead."""
    existing = subprocess.run(
        ["git", "config", "--name-only", "--get-regexp", r"^url\..*\.insteadof$"],
        cwd=repo, capture_output=True, text=True, check=False,
    ).stdout.split()  # fmt: skip
    for key in existing:
        git(repo, "config", "--unset-all", key)
    git(repo, "config", f"url.{remote.as_uri()}.insteadOf", ORIGIN)


@dataclass
class PublishWorld:
    repo: Path
    home: Path
    doppler_url: str
    doppler: DopplerState
    index: Index
    version: str = ""

    @classmethod
    def clone(cls, seed: Path, root: Path, doppler_url: str, doppler: DopplerState, index: Index) -> PublishWorld:
        shutil.copytree(seed.parent, root, symlinks=True)
        repo = root / seed.name
        point_origin_at(repo, root / "remote.git")
        return cls(repo, doppler_home(root / "home"), doppler_url, doppler, index)

    def release(self, version: str) -> None:
        """What the release workflow leaves behind: the version committed, tagged and pushed."""
        run(["scripts/set-version.sh", version], self.repo)
        git(self.repo, "commit", "-qam", f"chore(release): {version} [skip ci]")
        git(self.repo, "tag", f"v{version}")
        git(self.repo, "push", "-q", "origin", "main", f"v{version}")
        self.version = version

    def env(self, **changes: str | None) -> dict[str, str]:
        """A maintainer's shell: no CI markers, Doppler logged in, the test index selected."""
        defaults = dict(
            HOME=str(self.home),
            TERM="dumb",
            NO_COLOR="1",
            DOPPLER_API_HOST=self.doppler_url,
            DOPPLER_TOKEN=SERVICE_TOKEN,
            UV_PUBLISH_URL=self.index.upload_url,
            UV_PUBLISH_CHECK_URL=self.index.check_url,
            PUBLISH_VERIFY_TIMEOUT="10",
        )
        return clean_env(**{**defaults, **changes})

    def publish(self, *args: str, **env_changes: str | None) -> subprocess.CompletedProcess[str]:
        return attempt(["scripts/publish-to-pypi.sh", *args], self.repo, self.env(**env_changes))
