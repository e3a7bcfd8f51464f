"""`make doppler-setup`, `make token-set` and `make token-check` with the real Doppler CLI."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.argv_watch import argv_containing
from tests.environment import clean_env, doppler_home
from tests.fake_doppler import SERVICE_TOKEN, DopplerState, fake_doppler
from tests.publish_world import CONFIG, PROJECT, PYPI_TOKEN, SECRET
from tests.rendering import Rendered
from tests.terminal import drain, until

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def doppler_api() -> Iterator[tuple[str, DopplerState]]:
    with fake_doppler() as served:
        yield served


@pytest.fixture
def repo(rendered_default: Rendered, doppler_api, tmp_path: Path) -> tuple[Path, dict[str, str], DopplerState]:
    url, state = doppler_api
    state.secrets.clear()
    state.secrets[(PROJECT, CONFIG)] = {}
    home = doppler_home(tmp_path / "home")
    env = clean_env(HOME=str(home), TERM="dumb", DOPPLER_API_HOST=url, DOPPLER_TOKEN=SERVICE_TOKEN)
    return rendered_default.path, env, state


def make(repo: Path, env: dict[str, str], target: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", "--no-print-directory", target], cwd=repo, env=env, input=stdin, capture_output=True,
        text=True, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    "exported", [{}, {"DOPPLER_PROJECT": "other-project", "DOPPLER_CONFIG": "prd"}], ids=["plain", "inside-doppler-run"]
)
def test_doppler_setup_binds_the_directory_without_saving_the_token(repo, exported: dict[str, str]) -> None:
    """doppler.yaml names the project and config, whatever a `doppler run` shell exports."""
    path, env, _ = repo

    result = make(path, {**env, **exported}, "doppler-setup")

    assert result.returncode == 0, result.stderr
    bound = subprocess.run(
        ["doppler", "configure", "get", "project", "config", "--plain"], cwd=path, env=env,
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert bound == [PROJECT, CONFIG]
    assert env["DOPPLER_TOKEN"] not in (Path(env["HOME"]) / ".doppler/.doppler.yaml").read_text()


def test_token_set_from_a_pipe_stores_it_and_shows_nothing(repo) -> None:
    path, env, state = repo

    result = make(path, env, "token-set", stdin=PYPI_TOKEN + "\n")

    assert result.returncode == 0, result.stderr
    assert state.secrets[(PROJECT, CONFIG)][SECRET] == PYPI_TOKEN
    assert PYPI_TOKEN not in result.stdout + result.stderr
    assert f"stored {SECRET} in Doppler {PROJECT}/{CONFIG}" in result.stdout


def test_token_set_prompts_with_hidden_input_on_a_terminal(repo) -> None:
    path, env, state = repo
    pid, terminal = pty.fork()
    if pid == 0:  # the child: make on a pseudo-terminal, as a maintainer would run it
        os.chdir(path)
        os.execvpe("make", ["make", "-s", "--no-print-directory", "token-set"], env)
    screen = b""
    with argv_containing(PYPI_TOKEN) as seen:
        screen += until(terminal, b"(input hidden): ")
        os.write(terminal, PYPI_TOKEN.encode() + b"\r")
        screen += until(terminal, b"token-check reads it back")
        _, status = os.waitpid(pid, 0)
    os.close(terminal)

    assert os.waitstatus_to_exitcode(status) == 0, screen.decode(errors="replace")
    assert state.secrets[(PROJECT, CONFIG)][SECRET] == PYPI_TOKEN
    assert PYPI_TOKEN.encode() not in screen, "the token was echoed"
    assert seen == []


def test_token_set_refused_by_doppler_says_so_before_asking_and_shows_no_typed_ahead_token(repo) -> None:
    """A token pasted into a prompt that Doppler could not then store would be pasted for nothing;
    pasted while Doppler is asked, it must neither echo nor reach the shell afterwards."""
    path, env, state = repo
    state.delay, state.refusal = 1.5, (401, "Invalid Auth token")  # slow, then refused
    pid, terminal = pty.fork()
    if pid == 0:
        os.chdir(path)
        os.execvpe("make", ["make", "-s", "--no-print-directory", "token-set"], env)
    try:
        deadline = time.monotonic() + 15
        while termios.tcgetattr(terminal)[3] & termios.ECHO and time.monotonic() < deadline:
            time.sleep(0.01)  # until the script turns echo off for the check
        echo_was_off = not termios.tcgetattr(terminal)[3] & termios.ECHO
        os.write(terminal, PYPI_TOKEN.encode() + b"\r")  # typed ahead, during the check
        screen = drain(terminal)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(terminal)
        state.delay, state.refusal = 0.0, None
    words = " ".join(screen.decode(errors="replace").split())

    assert echo_was_off, words
    assert os.waitstatus_to_exitcode(status) != 0, words
    assert f"Doppler cannot store {SECRET} yet" in words
    assert "then make token-set" in words
    assert "input hidden" not in words
    assert PYPI_TOKEN not in words
    assert SECRET not in state.secrets[(PROJECT, CONFIG)]


@pytest.mark.parametrize(
    ("paste", "stored", "says"),
    [
        (b"\n" + PYPI_TOKEN.encode() + b"\n", False, "the value entered is empty; nothing was stored"),
        (PYPI_TOKEN.encode() + b"\npypi-second-line-of-the-paste\n", True, f"ok stored {SECRET} in Doppler"),
    ],
    ids=["leading-newline", "second-line"],
)
def test_token_set_leaves_no_part_of_a_paste_to_the_shell(repo, paste: bytes, stored: bool, says: str) -> None:
    """What the prompt does not take would be read by the shell after the script: shown, run, kept."""
    path, env, state = repo
    pid, terminal = pty.fork()
    if pid == 0:  # a shell reads what is left on the terminal after the target, as an interactive one would
        os.chdir(path)
        after = 'IFS= read -r -t 2 rest; printf "LEFT:[%s]\\n" "$rest"'
        os.execvpe("bash", ["bash", "-c", f"make -s --no-print-directory token-set; {after}"], env)
    try:
        until(terminal, b"(input hidden): ")
        os.write(terminal, paste)  # one paste, in one piece
        screen = drain(terminal)
    finally:
        os.waitpid(pid, 0)
        os.close(terminal)
    words = " ".join(screen.decode(errors="replace").split())

    assert says in words, words
    assert "LEFT:[]" in words, words
    assert PYPI_TOKEN not in words and "second-line" not in words, words
    assert (SECRET in state.secrets[(PROJECT, CONFIG)]) is stored


def test_token_set_refuses_a_malformed_token_and_stores_nothing(repo) -> None:
    path, env, state = repo

    result = make(path, env, "token-set", stdin="ghp_not_a_pypi_token\n")

    assert result.returncode != 0
    assert "the value entered does not start with pypi-" in result.stderr
    assert "nothing was stored" in result.stderr
    assert SECRET not in state.secrets[(PROJECT, CONFIG)]


@pytest.mark.parametrize(
    ("stored", "ok", "message"),
    [
        (PYPI_TOKEN, True, f"{SECRET} in Doppler {PROJECT}/{CONFIG} is a well-formed PyPI token (value not shown)"),
        ("pypi-has a space", False, "contains spaces or quotes"),
        (None, False, f"Could not find requested secret: {SECRET}"),
    ],
    ids=["good", "malformed", "missing"],
)
def test_token_check_reports_without_printing_the_token(repo, stored: str | None, ok: bool, message: str) -> None:
    path, env, state = repo
    if stored is not None:
        state.set_secret(PROJECT, CONFIG, SECRET, stored)

    result = make(path, env, "token-check")

    assert (result.returncode == 0) is ok, result.stderr
    assert message in result.stdout + result.stderr
    assert PYPI_TOKEN not in result.stdout + result.stderr


def test_doppler_notices_of_settings_from_the_environment_stay_out_of_the_fail_line(repo, tmp_path: Path) -> None:
    """With no Doppler user file yet, the CLI says which DOPPLER_* variables it read."""
    path, env, _ = repo
    home = tmp_path / "new-home"
    home.mkdir()
    logged_out = {k: v for k, v in env.items() if k != "DOPPLER_TOKEN"}

    result = make(path, {**logged_out, "HOME": str(home), "DOPPLER_ENABLE_VERSION_CHECK": "false"}, "token-check")

    assert "token-check] Error 5" in result.stderr, result.stderr
    assert result.stderr.startswith("FAIL  Doppler Error: you must provide a token\n"), result.stderr


def test_token_check_interrupted_while_doppler_answers_leaves_no_file_behind(repo, tmp_path: Path) -> None:
    """Ctrl-C reaches the whole foreground process group: make, the script and the Doppler CLI."""
    path, env, state = repo
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    asked = len(state.requests)
    state.delay = 60  # an API that hangs
    try:
        check = subprocess.Popen(
            ["make", "-s", "--no-print-directory", "token-check"], cwd=path, env={**env, "TMPDIR": str(scratch)},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while len(state.requests) == asked and time.monotonic() < deadline:
            time.sleep(0.05)  # until the CLI has asked for the secret
        os.killpg(check.pid, signal.SIGINT)
        _, errors = check.communicate(timeout=15)
    finally:
        state.delay = 0.0

    assert len(state.requests) > asked, "the CLI never asked Doppler"
    assert check.returncode != 0, errors
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--repository", "pypi"], 0, f"{SECRET} in Doppler {PROJECT}/{CONFIG} is a well-formed"),
        (["--repository=testpypi"], 0, f"{SECRET}_TESTPYPI in Doppler {PROJECT}/{CONFIG} is a well-formed"),
        (["--repository", "pipy"], 2, "unknown repository: pipy"),
        (["--repository"], 2, "--repository needs a value"),
        (["--repository="], 2, "--repository needs a value"),
        (["--verbose"], 2, "unknown option: --verbose"),
        (["--repositorytestpypi"], 2, "unknown option: --repositorytestpypi"),
        (["--repository", "pypi", "--bogus"], 2, "unknown option: --bogus"),
    ],
    ids=["pypi", "testpypi", "typo", "no-value", "empty-value", "unknown", "glued", "extra"],
)
def test_token_check_takes_the_repository_the_publish_script_takes(repo, args: list[str], code: int, says: str) -> None:
    path, env, state = repo
    state.set_secret(PROJECT, CONFIG, SECRET, PYPI_TOKEN)
    state.set_secret(PROJECT, CONFIG, f"{SECRET}_TESTPYPI", PYPI_TOKEN)

    result = subprocess.run(
        ["scripts/pypi-token.sh", "check", *args], cwd=path, env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode == code, result.stderr
    assert says in result.stdout + result.stderr
    assert PYPI_TOKEN not in result.stdout + result.stderr


def test_a_missing_testpypi_token_points_to_the_command_that_stores_it(repo) -> None:
    path, env, _ = repo

    result = subprocess.run(
        ["scripts/pypi-token.sh", "check", "--repository", "testpypi"], cwd=path, env=env, capture_output=True,
        text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 5, result.stderr
    assert f"next: scripts/pypi-token.sh set --repository testpypi (stores {SECRET}_TESTPYPI" in result.stderr


@pytest.mark.parametrize(
    ("change", "cause", "next_step"),
    [
        ({"DOPPLER_API_HOST": "http://127.0.0.1:9"}, "connection refused", "next: check your network"),
        ({"DOPPLER_TOKEN": "dp.st.dev.unknown"}, "Doppler did not store", "next: doppler login"),
    ],
    ids=["network", "auth"],
)
def test_token_set_says_what_doppler_objected_to(repo, change: dict[str, str], cause: str, next_step: str) -> None:
    path, env, state = repo

    result = subprocess.run(
        ["scripts/pypi-token.sh", "set"], cwd=path, env={**env, **change}, input=PYPI_TOKEN + "\n",
        capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 5, result.stderr
    assert cause in result.stderr
    assert next_step in result.stderr
    assert PYPI_TOKEN not in result.stdout + result.stderr
    assert SECRET not in state.secrets[(PROJECT, CONFIG)]


def test_doppler_setup_logged_out_says_what_to_run(repo) -> None:
    path, env, _ = repo
    # A terminal type with colours: the target itself must turn them off.
    logged_out = {k: v for k, v in env.items() if k != "DOPPLER_TOKEN"} | {"TERM": "xterm-256color"}

    result = make(path, logged_out, "doppler-setup")

    assert result.returncode != 0
    assert "you must provide a token" in result.stderr
    assert "\x1b[" not in result.stderr, "no colour codes"
    assert "next: doppler login if Doppler says no token" in result.stderr


def test_a_password_for_your_own_index_is_stored_as_typed(repo) -> None:
    """With a login (UV_PUBLISH_USERNAME), the secret is a password: spaces and quotes are fine."""
    path, env, state = repo
    login = {**env, "UV_PUBLISH_URL": "http://127.0.0.1:9/", "UV_PUBLISH_USERNAME": "alice"}
    password = 'it\'s a "pass phrase"'

    stored = subprocess.run(
        ["scripts/pypi-token.sh", "set"], cwd=path, env=login, input=password + "\n", capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    checked = subprocess.run(
        ["scripts/pypi-token.sh", "check"], cwd=path, env=login, capture_output=True, text=True, check=False
    )

    assert stored.returncode == 0, stored.stderr
    assert state.secrets[(PROJECT, CONFIG)][SECRET] == password
    assert "is a well-formed password of alice (value not shown)" in checked.stdout, checked.stderr
    assert password not in stored.stdout + stored.stderr + checked.stdout + checked.stderr


def test_a_stored_password_checked_without_the_login_says_what_it_needs(repo) -> None:
    """The password shares the token's secret name: a check without the login names the two variables."""
    path, env, state = repo
    state.set_secret(PROJECT, CONFIG, SECRET, "correct horse")

    result = subprocess.run(["scripts/pypi-token.sh", "check"], cwd=path, env=env, capture_output=True, text=True)

    assert result.returncode == 6, result.stderr
    assert "a password for your own index needs UV_PUBLISH_URL and UV_PUBLISH_USERNAME set" in result.stderr
    assert "correct horse" not in result.stdout + result.stderr


def test_a_bad_token_for_your_own_index_is_not_sent_to_pypi_for_a_new_one(repo) -> None:
    path, env, state = repo
    state.set_secret(PROJECT, CONFIG, SECRET, "AKCp8a-token-of-another-shape")
    own_index = {**env, "UV_PUBLISH_URL": "http://127.0.0.1:9/"}

    result = subprocess.run(
        ["scripts/pypi-token.sh", "check"], cwd=path, env=own_index, capture_output=True, text=True, check=False
    )

    assert result.returncode == 6, result.stderr
    next_step = "for another kind of token set UV_PUBLISH_USERNAME=__token__ as well"
    assert next_step in result.stderr
    assert "pypi.org" not in result.stderr
    as_told = {**own_index, "UV_PUBLISH_USERNAME": "__token__"}
    checked = subprocess.run(
        ["scripts/pypi-token.sh", "check"], cwd=path, env=as_told, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr


def test_a_missing_testpypi_token_is_made_on_testpypi(repo) -> None:
    path, env, state = repo
    state.set_secret(PROJECT, CONFIG, f"{SECRET}_TESTPYPI", "ghp_not_a_pypi_token")

    result = subprocess.run(
        ["scripts/pypi-token.sh", "check", "--repository", "testpypi"], cwd=path, env=env, capture_output=True,
        text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 6, result.stderr
    assert "https://test.pypi.org/manage/account/token/" in result.stderr


def test_without_doppler_yaml_the_token_script_says_so_with_its_documented_code(
    rendered_default: Rendered, tmp_path: Path
) -> None:
    (tmp_path / "scripts").mkdir()
    script = tmp_path / "scripts/pypi-token.sh"
    script.write_bytes((rendered_default.path / "scripts/pypi-token.sh").read_bytes())
    script.chmod(0o755)

    result = subprocess.run([str(script), "check"], cwd=tmp_path, env=clean_env(), capture_output=True, text=True)

    assert result.returncode == 5, result.stderr
    assert "FAIL  doppler.yaml is missing" in result.stderr
    assert (
        "5 Doppler (or\ndoppler.yaml) could not store or return it"
        in subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True).stdout
    )


def test_in_doppler_ci_the_token_is_always_a_pypi_token(render, doppler_api, tmp_path: Path) -> None:
    """The publish job uploads to PyPI with a token: a password for another index could never be used."""
    path = render(publish_via="doppler-ci").path
    url, state = doppler_api
    state.secrets[(PROJECT, CONFIG)] = {}
    env = clean_env(
        HOME=str(doppler_home(tmp_path / "home")), DOPPLER_API_HOST=url, DOPPLER_TOKEN=SERVICE_TOKEN,
        UV_PUBLISH_URL="http://127.0.0.1:9/", UV_PUBLISH_USERNAME="alice",
    )  # fmt: skip

    helped = subprocess.run(["scripts/pypi-token.sh", "--help"], cwd=path, capture_output=True, text=True, check=True)
    stored = subprocess.run(
        ["scripts/pypi-token.sh", "set"], cwd=path, env=env, input="a pass phrase\n", capture_output=True, text=True
    )

    assert "UV_PUBLISH_USERNAME" not in helped.stdout
    assert stored.returncode == 6, stored.stderr
    assert "is not a PyPI API token" in stored.stderr and "own index" not in stored.stderr
    assert SECRET not in state.secrets[(PROJECT, CONFIG)]


def test_a_refused_value_says_how_to_store_it_for_the_index_of_this_run(repo) -> None:
    """Variables given for one command are not exported: the next step repeats them."""
    path, env, state = repo
    own_index = {**env, "UV_PUBLISH_URL": "http://127.0.0.1:9/"}

    result = make(path, own_index, "token-set", stdin="a pass phrase\n")

    assert "token-set] Error 6" in result.stderr, "the script's exit code for a malformed value"
    assert "UV_PUBLISH_URL=http://127.0.0.1:9/ make token-set with a pypi- token of your index" in result.stderr
    assert "for a password UV_PUBLISH_USERNAME=<user>" in result.stderr
    assert "a pass phrase" not in result.stdout + result.stderr
    assert SECRET not in state.secrets[(PROJECT, CONFIG)]


@pytest.mark.parametrize(
    ("url", "user", "shown"),
    [
        ("http://127.0.0.1:9/", "alice", "UV_PUBLISH_URL=http://127.0.0.1:9/ UV_PUBLISH_USERNAME=alice"),
        ("http://127.0.0.1:9/?repo=a&b=c", "o'brien smith",
         "UV_PUBLISH_URL='http://127.0.0.1:9/?repo=a&b=c' UV_PUBLISH_USERNAME='o'\\''brien smith'"),
    ],
    ids=["plain", "quoted"],
)  # fmt: skip
def test_a_stored_password_says_how_to_read_it_back_for_the_index_of_this_run(repo, url, user, shown) -> None:
    path, env, state = repo
    own_index = {**env, "UV_PUBLISH_URL": url, "UV_PUBLISH_USERNAME": user}

    result = make(path, own_index, "token-set", stdin="a pass phrase\n")

    assert result.returncode == 0, result.stderr
    assert f"; {shown} make token-check reads it back" in result.stdout
    words = subprocess.run(["bash", "-c", f"{shown} env"], capture_output=True, text=True, check=True).stdout
    assert f"UV_PUBLISH_URL={url}\n" in words and f"UV_PUBLISH_USERNAME={user}\n" in words, "runnable as shown"
    assert state.secrets[(PROJECT, CONFIG)][SECRET] == "a pass phrase"


def test_a_proprietary_package_is_never_sent_to_pypi_for_its_token(render, doppler_api, tmp_path: Path) -> None:
    url, state = doppler_api
    state.secrets[(PROJECT, CONFIG)] = {}
    env = clean_env(HOME=str(doppler_home(tmp_path / "home")), TERM="dumb", DOPPLER_API_HOST=url,
                    DOPPLER_TOKEN=SERVICE_TOKEN)  # fmt: skip
    path = render(license="Proprietary").path

    missing = make(path, env, "token-check")
    refused = make(path, env, "token-set", stdin="a pass phrase\n")

    assert "token-check] Error 5" in missing.stderr
    assert "next: UV_PUBLISH_URL=<your index's upload URL> make token-set" in missing.stderr
    assert "token-set] Error 6" in refused.stderr
    assert "next: UV_PUBLISH_URL=<your index's upload URL> make token-set with a pypi- token" in refused.stderr
    assert "pypi.org" not in missing.stderr + refused.stderr
    state.set_secret(PROJECT, CONFIG, SECRET, PYPI_TOKEN)
    checked = make(path, env, "token-check")
    assert f"{SECRET} in Doppler {PROJECT}/{CONFIG} is a well-formed token of your index" in checked.stdout
