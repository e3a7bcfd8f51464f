"""Releases cut by the real semantic-release with the generated .releaserc.json."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.commands import attempt, run
from tests.environment import clean_env
from tests.gitrepo import git
from tests.release_repo import NODE_MODULES, ReleaseRepo
from tests.rendering import Rendered

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def unreleased(tmp_path_factory: pytest.TempPathFactory) -> ReleaseRepo:
    return ReleaseRepo.create(tmp_path_factory.mktemp("seed") / "unreleased")


@pytest.fixture(scope="module")
def released(unreleased: ReleaseRepo, tmp_path_factory: pytest.TempPathFactory) -> ReleaseRepo:
    """The same package after its first release, v1.0.0."""
    repo = unreleased.clone_to(tmp_path_factory.mktemp("seed") / "released")
    repo.commit("feat: first feature")
    assert repo.release_ok() == {"released": True, "version": "1.0.0"}
    return repo


@pytest.fixture
def repo(released: ReleaseRepo, tmp_path: Path) -> ReleaseRepo:
    return released.clone_to(tmp_path / "repo")


def assert_released(repo: ReleaseRepo, version: str) -> None:
    pyproject = tomllib.loads((repo.path / "pyproject.toml").read_text())
    assert pyproject["project"]["version"] == version
    assert pyproject["tool"]["other"]["version"] == "9.9.9"
    assert pyproject["tool"]["acme"]["nested"]["version"] == "0.1"
    run(["uv", "lock", "--check", "--quiet"], repo.path)
    assert f'"version": "{version}"' in (repo.path / "package.json").read_text()
    assert re.search(rf"^## \[?{re.escape(version)}\]?", (repo.path / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert f"v{version}" in repo.remote_tags()
    assert repo.remote_subject() == f"chore(release): {version} [skip ci]"
    assert git(repo.path, "status", "--porcelain", "--untracked-files=no") == "", "release left changes behind"


def test_first_release_is_1_0_0(unreleased: ReleaseRepo, tmp_path: Path) -> None:
    repo = unreleased.clone_to(tmp_path / "repo")
    repo.commit("fix: first fix")

    assert repo.release_ok() == {"released": True, "version": "1.0.0"}
    assert_released(repo, "1.0.0")


@pytest.mark.parametrize(
    ("messages", "version"),
    [
        (["fix: handle empty widgets"], "1.0.1"),
        (["perf: faster widgets"], "1.0.1"),
        (["docs: explain widgets"], "1.0.1"),
        (["feat: add gadgets"], "1.1.0"),
        (["fix: small", "feat: bigger"], "1.1.0"),
        (["feat!: drop the old API"], "2.0.0"),
        (["refactor: new internals\n\nBREAKING CHANGE: widgets are now immutable"], "2.0.0"),
    ],
    ids=["fix", "perf", "docs", "feat", "fix+feat", "feat!", "breaking-footer"],
)
def test_commit_types_choose_the_version(repo: ReleaseRepo, messages: list[str], version: str) -> None:
    for message in messages:
        repo.commit(message)

    assert repo.release_ok() == {"released": True, "version": version}
    assert_released(repo, version)


def test_a_git_revert_commit_cuts_a_patch_release(repo: ReleaseRepo) -> None:
    """`git revert` writes 'Revert "feat: ..."', which has no type: semantic-release's revert rule applies."""
    (repo.path / "gadgets.txt").write_text("gadgets\n")
    git(repo.path, "add", "gadgets.txt")
    repo.commit("feat: add gadgets")
    assert repo.release_ok()["version"] == "1.1.0"
    feature = git(repo.path, "rev-parse", "HEAD~1")  # the release commit came after it
    git(repo.path, "revert", "--no-edit", feature)
    git(repo.path, "push", "-q", "origin", "main")

    assert repo.release_ok() == {"released": True, "version": "1.1.1"}
    assert "### Reverts" in (repo.path / "CHANGELOG.md").read_text()


def test_a_breaking_change_of_a_type_without_a_release_goes_under_its_section_title(repo: ReleaseRepo) -> None:
    """Breaking changes show whatever their type; hidden types show only then, under a real heading."""
    repo.commit("refactor: new internals\n\nBREAKING CHANGE: widgets are now immutable")
    repo.commit("build: tidy the lockfile")

    assert repo.release_ok() == {"released": True, "version": "2.0.0"}
    notes = (repo.path / "CHANGELOG.md").read_text().split("## [1.0.0]")[0]
    assert "### Code Refactoring\n\n* new internals" in notes
    assert "### refactor" not in notes
    assert "tidy the lockfile" not in notes


def test_chore_and_test_commits_make_no_release(repo: ReleaseRepo) -> None:
    repo.commit("chore: tidy")
    repo.commit("test: more cases")
    head = git(repo.remote, "rev-parse", "main")

    assert repo.release_ok() == {"released": False, "version": None}
    assert repo.remote_tags() == {"v1.0.0"}
    assert git(repo.remote, "rev-parse", "main") == head


def test_two_releases_in_a_row(repo: ReleaseRepo) -> None:
    repo.commit("fix: one")
    assert repo.release_ok()["version"] == "1.0.1"
    repo.commit("feat: two")
    assert repo.release_ok()["version"] == "1.1.0"

    assert_released(repo, "1.1.0")
    assert repo.remote_tags() == {"v1.0.0", "v1.0.1", "v1.1.0"}
    changelog = (repo.path / "CHANGELOG.md").read_text()
    assert changelog.index("1.1.0") < changelog.index("1.0.1") < changelog.rindex("1.0.0")


def test_failing_version_sync_leaves_no_tag_and_no_release_commit(repo: ReleaseRepo) -> None:
    pyproject = repo.path / "pyproject.toml"
    # A dynamic version is one `uv version` refuses to set: the prepare step fails for real.
    pyproject.write_text(pyproject.read_text().replace('version = "1.0.0"\n', 'dynamic = ["version"]\n', 1))
    git(repo.path, "commit", "-qam", "build: make the version dynamic")
    repo.commit("fix: something")
    remote_head = git(repo.remote, "rev-parse", "main")

    result = repo.release()

    assert result.returncode != 0
    assert "set-version:" in result.stderr
    assert repo.remote_tags() == {"v1.0.0"}
    assert git(repo.remote, "rev-parse", "main") == remote_head
    assert git(repo.path, "tag", "--list", "v1.0.1") == ""
    assert git(repo.path, "log", "-1", "--format=%s") == "fix: something"


@pytest.mark.parametrize("version", ["1.1.0-beta.1", "01.2.3", "1.02.3"])
def test_set_version_refuses_a_non_release_version(repo: ReleaseRepo, version: str) -> None:
    """A leading zero would leave the files disagreeing: uv normalises it, npm does not."""
    result = subprocess.run(
        ["scripts/set-version.sh", version], cwd=repo.path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "expected a release version such as 1.2.3" in result.stderr
    assert git(repo.path, "status", "--porcelain", "--untracked-files=no") == ""


def _state(repo: ReleaseRepo) -> tuple[str, str, str, str]:
    return (
        git(repo.path, "status", "--porcelain", "--ignored"),
        git(repo.path, "rev-parse", "HEAD"),
        git(repo.path, "tag", "--list"),
        git(repo.path, "ls-remote", "origin"),
    )


def test_release_dry_run_reports_and_changes_nothing(repo: ReleaseRepo) -> None:
    repo.commit("feat: add gadgets")
    before = _state(repo)
    changelog = (repo.path / "CHANGELOG.md").read_bytes()

    # -o: the toolchain is linked in, not installed here; make must not reinstall it.
    out = run(["make", "-s", "-o", "node_modules/.package-lock.json", "release-dry-run"], repo.path, clean_env())

    assert "Next release: 1.1.0 (minor, after v1.0.0)" in out
    assert "add gadgets" in out
    assert _state(repo) == before
    assert (repo.path / "CHANGELOG.md").read_bytes() == changelog


def test_changelog_preview_prints_only_the_notes(repo: ReleaseRepo) -> None:
    repo.commit("fix: mend gadgets")

    out = run(["make", "-s", "-o", "node_modules/.package-lock.json", "changelog-preview"], repo.path, clean_env())

    assert out.lstrip().startswith("## [1.0.1]")
    assert "mend gadgets" in out
    assert "semantic-release" not in out


def test_release_dry_run_before_any_release(unreleased: ReleaseRepo, tmp_path: Path) -> None:
    repo = unreleased.clone_to(tmp_path / "repo")
    repo.commit("feat: the first feature")

    out = run(["make", "-s", "-o", "node_modules/.package-lock.json", "release-dry-run"], repo.path, clean_env())

    assert "Next release: 1.0.0 (the first release)" in out
    assert repo.remote_tags() == set()


def _dry_run(repo: ReleaseRepo) -> subprocess.CompletedProcess[str]:
    return attempt(["make", "-s", "-o", "node_modules/.package-lock.json", "release-dry-run"], repo.path, clean_env())


def test_release_dry_run_without_origin_names_the_remote_to_add(unreleased: ReleaseRepo, tmp_path: Path) -> None:
    """A fresh copy before `git remote add`: semantic-release only says repositoryUrl is required."""
    repo = unreleased.clone_to(tmp_path / "repo")
    git(repo.path, "remote", "remove", "origin")

    result = _dry_run(repo)

    assert result.returncode != 0
    remote = "git@github.com:acme/acme-widgets.git"
    hint = f"release-preview: the repository has no origin remote: git remote add origin {remote}"
    assert hint in result.stderr.splitlines()
    assert "push access" not in result.stderr


def test_release_dry_run_outside_git_says_to_init(unreleased: ReleaseRepo, tmp_path: Path) -> None:
    repo = unreleased.clone_to(tmp_path / "repo")
    shutil.rmtree(repo.path / ".git")

    result = _dry_run(repo)

    assert result.returncode != 0
    assert "release-preview: run it in the package's git repository (git init, then a first commit)" in result.stderr


def test_release_dry_run_with_an_unreadable_origin_says_so(unreleased: ReleaseRepo, tmp_path: Path) -> None:
    repo = unreleased.clone_to(tmp_path / "repo")
    git(repo.path, "remote", "set-url", "origin", (tmp_path / "gone.git").as_uri())

    result = _dry_run(repo)

    assert result.returncode != 0
    gone = (tmp_path / "gone.git").as_uri()
    assert f"release-preview: origin ({gone}) cannot be read: check the URL, your network" in result.stderr
    assert "push access" not in result.stderr, "a push-rights hint would send the maintainer the wrong way"


def test_make_release_without_a_token_says_it_is_the_workflows_job(rendered_default) -> None:
    """Without the token semantic-release would print a 40-line AggregateError."""
    env = {k: v for k, v in clean_env().items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}

    result = attempt(["make", "-s", "--no-print-directory", "release"], rendered_default.path, env)

    assert result.returncode != 0
    assert (
        "FAIL  make release pushes a release commit, a tag and a GitHub release, with GITHUB_TOKEN or GH_TOKEN"
        in result.stderr
    )
    assert "next: make release-dry-run" in result.stderr
    assert not (rendered_default.path / "node_modules").exists(), "the check comes before the npm install"


def test_a_release_commit_needs_no_new_npm_install(rendered_default: Rendered, tmp_path: Path) -> None:
    """The release bumps the version in package*.json; the installed packages are still the lock's."""
    repo = tmp_path / "repo"
    shutil.copytree(rendered_default.path, repo, symlinks=True)
    (repo / "node_modules").mkdir()
    installed = repo / "node_modules/.package-lock.json"  # what `npm ci` of this lockfile leaves
    shutil.copy(NODE_MODULES / ".package-lock.json", installed)
    os.utime(installed, (0, 0))  # older than the files the release rewrites
    env = clean_env(PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    run(["scripts/set-version.sh", "1.1.0"], repo, env)

    result = attempt(["make", "-s", "--no-print-directory", "release-tools"], repo, env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "npm ci" not in result.stdout + result.stderr
    assert attempt(["make", "-q", "release-tools"], repo, env).returncode == 0, "the install counts as current"

    older = json.loads(installed.read_text())
    older["packages"]["node_modules/semantic-release"]["version"] = "24.0.0"  # installed from another lock
    installed.write_text(json.dumps(older))
    os.utime(installed, (0, 0))
    # Offline with an empty cache, npm ci fails at once: the test sees the decision, not a download.
    offline = {**env, "npm_config_offline": "true", "npm_config_cache": str(tmp_path / "npm-cache")}
    reinstall = attempt(["make", "-s", "--no-print-directory", "release-tools"], repo, offline)
    # On standard error: `make changelog-preview > notes.md` keeps standard output for the notes.
    assert "npm ci --ignore-scripts --no-audit --no-fund" in reinstall.stderr, reinstall.stdout + reinstall.stderr
    assert reinstall.stdout == ""


def _commit_only(repo: ReleaseRepo, message: str) -> str:
    """A commit on the checked-out branch, not pushed; its hash."""
    git(repo.path, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo.path, "rev-parse", "HEAD")


def test_release_dry_run_on_a_feature_branch_previews_its_merge_and_keeps_local_main(repo: ReleaseRepo) -> None:
    """semantic-release force-fetches every release branch but the checked-out one: an unpushed commit on main."""
    git(repo.path, "switch", "-q", "-c", "gadgets")
    _commit_only(repo, "feat: add gadgets")
    git(repo.path, "push", "-q", "origin", "gadgets")
    git(repo.path, "switch", "-q", "main")
    local_main = _commit_only(repo, "fix: not pushed yet")
    git(repo.path, "switch", "-q", "gadgets")

    out = run(["make", "-s", "-o", "node_modules/.package-lock.json", "release-dry-run"], repo.path, clean_env())

    assert "gadgets is not main: this is what merging it into main would release" in out
    assert "Next release: 1.1.0 (minor, after v1.0.0)" in out
    assert "add gadgets" in out
    assert git(repo.path, "rev-parse", "main") == local_main
    assert repo.remote_tags() == {"v1.0.0"}


def test_release_dry_run_before_the_first_push_says_to_push_the_release_branch(repo: ReleaseRepo) -> None:
    """A new, empty GitHub repository: origin has no branch yet."""
    empty = repo.path.parent / "empty.git"
    git(repo.path.parent, "init", "-q", "--bare", "-b", "main", str(empty))
    git(repo.path, "remote", "set-url", "origin", empty.as_uri())

    result = _dry_run(repo)

    assert result.returncode != 0
    assert "release-preview: main is not on origin yet: git push -u origin main" in result.stderr.splitlines()
    assert "push access" not in result.stderr


def test_release_dry_run_on_an_unpushed_branch_says_to_push_it(repo: ReleaseRepo) -> None:
    git(repo.path, "switch", "-q", "-c", "gadgets")
    _commit_only(repo, "feat: add gadgets")

    result = _dry_run(repo)

    assert result.returncode != 0
    assert "release-preview: gadgets is not on origin yet: git push -u origin gadgets" in result.stderr
    assert "push access" not in result.stderr


def test_release_dry_run_on_a_detached_head_refuses_and_keeps_local_main(repo: ReleaseRepo) -> None:
    local_main = _commit_only(repo, "fix: not pushed yet")
    git(repo.path, "switch", "-q", "--detach", "origin/main")

    result = _dry_run(repo)

    assert result.returncode != 0
    assert "release-preview: HEAD is detached: check out a branch (git switch main)" in result.stderr
    assert git(repo.path, "rev-parse", "main") == local_main


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_release_dry_run_with_a_path_as_origin_names_the_url_form(repo: ReleaseRepo, relative: bool) -> None:
    """semantic-release only says "Invalid URL" for an origin that is a plain path."""
    path = os.path.relpath(repo.remote, repo.path) if relative else str(repo.remote)
    git(repo.path, "remote", "set-url", "origin", path)
    _commit_only(repo, "feat: add gadgets")  # the notes link commits with the URL

    result = _dry_run(repo)

    assert result.returncode != 0
    fix = f"git remote set-url origin {repo.remote.as_uri()}"
    hint = f"release-preview: origin is a path, and semantic-release needs a URL: {fix}"
    assert hint in result.stderr.splitlines()


def test_release_dry_run_with_origins_head_on_a_missing_branch_says_how_to_point_it(repo: ReleaseRepo) -> None:
    """`git init --bare` names master on a default git: semantic-release's fetch of origin's HEAD fails."""
    git(repo.remote, "symbolic-ref", "HEAD", "refs/heads/master")

    result = _dry_run(repo)

    assert result.returncode != 0
    fix = f"git -C {repo.remote} symbolic-ref HEAD refs/heads/main"
    hint = f"release-preview: origin's HEAD names a branch origin does not have, and semantic-release fetches it: {fix}"
    assert hint in result.stderr.splitlines()
    assert "push access" not in result.stderr


def test_make_release_outside_the_workflow_refuses_and_keeps_local_main(repo: ReleaseRepo) -> None:
    """A maintainer's shell with GH_TOKEN set (the gh CLI's) gets past the token check; semantic-release
    would then dry-run, after force-fetching main (not checked out) over its local commits."""
    local_main = _commit_only(repo, "fix: not pushed yet")
    git(repo.path, "switch", "-q", "-c", "gadgets", "HEAD~1")
    env = clean_env() | {"GH_TOKEN": "gho_not-a-real-token"}

    result = attempt(
        ["make", "-s", "--no-print-directory", "-o", "node_modules/.package-lock.json", "release"], repo.path, env
    )

    assert result.returncode != 0
    assert "FAIL  make release runs in the release workflow only" in result.stderr
    assert "next: make release-dry-run previews the next release from any branch" in result.stderr
    assert git(repo.path, "rev-parse", "main") == local_main


def test_release_dry_run_with_nothing_to_release_names_the_tag_it_counts_from(repo: ReleaseRepo) -> None:
    repo.commit("chore: tidy")

    out = run(["make", "-s", "-o", "node_modules/.package-lock.json", "release-dry-run"], repo.path, clean_env())

    assert "No release pending: no feat, fix, perf, docs or breaking change since v1.0.0." in out


def test_changelog_preview_with_nothing_to_release_writes_no_notes(repo: ReleaseRepo) -> None:
    """`make changelog-preview > notes.md`: standard output is the notes alone, here none (make's
    echo of the command included: no -s here)."""
    repo.commit("chore: tidy")

    # As typed at a shell prompt, not from inside `make test`: no "Entering directory" lines.
    at_a_prompt = clean_env(MAKELEVEL=None, MAKEFLAGS=None, MFLAGS=None)
    result = attempt(["make", "-o", "node_modules/.package-lock.json", "changelog-preview"], repo.path, at_a_prompt)

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "No release pending: no feat, fix, perf, docs or breaking change since v1.0.0." in result.stderr


def test_release_dry_run_with_nothing_to_release_before_any_tag_says_there_is_none(
    unreleased: ReleaseRepo, tmp_path: Path
) -> None:
    repo = unreleased.clone_to(tmp_path / "repo")
    repo.commit("chore: tidy")

    out = run(["make", "-s", "-o", "node_modules/.package-lock.json", "release-dry-run"], repo.path, clean_env())

    no_tag = "in any commit yet (there is no release tag)."
    expected = f"No release pending: no feat, fix, perf, docs or breaking change {no_tag}"
    assert expected in out


def test_release_dry_run_behind_origin_says_to_pull_instead_of_no_release(repo: ReleaseRepo) -> None:
    """semantic-release returns nothing for a branch behind origin; the preview used to say "No release pending"."""
    repo.commit("feat: add gadgets")
    git(repo.path, "reset", "-q", "--hard", "HEAD~1")

    result = _dry_run(repo)

    assert result.returncode != 0
    assert "release-preview: main is behind or has diverged from origin's main" in result.stderr
    assert "git pull --rebase" in result.stderr
    assert "No release pending" not in result.stdout


def test_release_dry_run_on_a_branch_without_the_latest_release_says_to_rebase(repo: ReleaseRepo) -> None:
    """The version is counted from the last release tag the branch holds, here one before main's latest."""
    git(repo.path, "switch", "-q", "-c", "gadgets", "v1.0.0~1")
    _commit_only(repo, "fix: mend gadgets")
    git(repo.path, "push", "-q", "origin", "gadgets")

    out = run(["make", "-s", "-o", "node_modules/.package-lock.json", "release-dry-run"], repo.path, clean_env())

    assert "But v1.0.0 is not in gadgets: rebase it on main first for the real next version." in out


def test_changelog_preview_on_a_branch_without_the_latest_release_says_to_rebase_beside_the_notes(
    repo: ReleaseRepo,
) -> None:
    git(repo.path, "switch", "-q", "-c", "gadgets", "v1.0.0~1")
    _commit_only(repo, "fix: mend gadgets")
    git(repo.path, "push", "-q", "origin", "gadgets")

    result = attempt(
        ["make", "-s", "-o", "node_modules/.package-lock.json", "changelog-preview"], repo.path, clean_env()
    )

    assert result.returncode == 0, result.stderr
    assert "But v1.0.0 is not in gadgets: rebase it on main first for the real next version." in result.stderr
    assert result.stdout.lstrip().startswith("## "), "standard output is the notes alone"
    assert "mend gadgets" in result.stdout


def test_release_dry_run_with_a_local_tag_unlike_origins_names_it(repo: ReleaseRepo) -> None:
    git(repo.path, "tag", "-f", "v1.0.0", "HEAD~1")

    result = _dry_run(repo)

    assert result.returncode != 0
    assert "release-preview: the local tag v1.0.0 differs from origin's" in result.stderr
    assert "push access" not in result.stderr


def test_release_dry_run_leaves_other_release_branches_and_local_tags_alone(repo: ReleaseRepo) -> None:
    """semantic-release fetches into the repository it runs in: the preview gives it a throwaway clone."""
    git(repo.path, "switch", "-q", "-c", "beta")
    git(repo.path, "push", "-q", "origin", "beta")
    local_beta = _commit_only(repo, "feat: beta only, not pushed yet")
    git(repo.path, "switch", "-q", "main")
    config = repo.path / ".releaserc.json"
    config.write_text(
        config.read_text().replace('"branches": ["main"]', '"branches": ["main", {"name": "beta", "prerelease": true}]')
    )
    assert '{"name": "beta", "prerelease": true}' in config.read_text()
    repo.commit("feat: add gadgets")
    git(repo.path, "tag", "-d", "v1.0.0")

    out = run(["make", "-s", "-o", "node_modules/.package-lock.json", "release-dry-run"], repo.path, clean_env())

    assert "Next release: 1.1.0 (minor, after v1.0.0)" in out, "counted from origin's tags"
    assert git(repo.path, "rev-parse", "beta") == local_beta
    assert git(repo.path, "tag", "--list") == "", "origin's tags stay out of the repository"


def test_set_version_says_what_it_wrote_and_nothing_else(repo: ReleaseRepo) -> None:
    result = subprocess.run(["scripts/set-version.sh", "1.2.3"], cwd=repo.path, capture_output=True, text=True)
    usage = subprocess.run(["scripts/set-version.sh", "--help"], cwd=repo.path, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "set-version: pyproject.toml uv.lock package.json package-lock.json are at 1.2.3\n"
    assert result.stderr == "", "uv's resolver chatter"
    assert usage.returncode == 0 and usage.stdout.startswith("usage: scripts/set-version.sh X.Y.Z")
