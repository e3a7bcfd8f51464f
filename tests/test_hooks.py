"""The post-generation task, through the real `copier copy` / `copier update` and the real Doppler CLI."""

from __future__ import annotations

import os
import pty
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.argv_watch import argv_containing
from tests.commands import attempt, run
from tests.environment import clean_env, doppler_home
from tests.fake_doppler import SERVICE_TOKEN, DopplerState, fake_doppler
from tests.gitrepo import commit_everything, git
from tests.package_index import free_port
from tests.publish_world import CONFIG, PROJECT, PYPI_TOKEN, SECRET
from tests.rendering import Rendered, default_answers, every_answer
from tests.template_clone import render_from, template_clone
from tests.terminal import ANSI_CODE, drain, until
from tools.render import COPIER, REPO_ROOT, copy_command

ALL_ANSWERS = every_answer(doppler_project=PROJECT, doppler_config=CONFIG, pypi_token_secret=SECRET)


@pytest.fixture(scope="module")
def doppler_api() -> Iterator[tuple[str, DopplerState]]:
    with fake_doppler() as served:
        yield served


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return doppler_home(tmp_path / "home")


def copier_env(home: Path, api: str, **changes: str | None) -> dict[str, str]:
    defaults = {"HOME": str(home), "TERM": "dumb", "DOPPLER_API_HOST": api, "DOPPLER_TOKEN": SERVICE_TOKEN}
    return clean_env(**{**defaults, **changes})


def copy(dest: Path, env: dict[str, str], **answers: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        copy_command(dest, {**default_answers(), **answers}), env=env, capture_output=True, text=True, check=False,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def bound_project(repo: Path, env: dict[str, str]) -> list[str]:
    out = run(["doppler", "configure", "get", "project", "config", "--plain"], repo, env)
    return out.split()


@pytest.mark.parametrize(
    "exported", [{}, {"DOPPLER_PROJECT": "other-project", "DOPPLER_CONFIG": "prd"}], ids=["plain", "inside-doppler-run"]
)
def test_copy_binds_the_repo_to_doppler_when_logged_in(tmp_path: Path, home: Path, doppler_api, exported) -> None:
    """doppler.yaml names the project and config, whatever a `doppler run` shell exports."""
    url, _ = doppler_api
    env = copier_env(home, url, **exported)
    dest = tmp_path / "out"

    result = copy(dest, env)

    assert result.returncode == 0, result.stderr
    assert "validate: 10 passed, 0 failed" in result.stdout
    assert "bound to the project and config in doppler.yaml" in result.stdout
    assert bound_project(dest, env) == [PROJECT, CONFIG]
    assert SERVICE_TOKEN not in (home / ".doppler/.doppler.yaml").read_text(), "no token saved as a side effect"


def _path_without_doppler(tmp_path: Path) -> str:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("git", "bash", "uv"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    path = f"{bin_dir}:/usr/bin:/bin"
    assert shutil.which("doppler", path=path) is None
    return path


@pytest.mark.parametrize(
    ("situation", "expected"),
    [
        ("not installed", "the Doppler CLI is not installed"),
        ("no token", "you must provide a token"),
        ("API down", "connection refused"),
    ],
)
def test_copy_succeeds_without_doppler_and_says_what_to_run(
    tmp_path: Path, home: Path, doppler_api, situation: str, expected: str
) -> None:
    url, _ = doppler_api
    changes: dict[str, str | None] = {
        "not installed": {"PATH": _path_without_doppler(tmp_path)},
        "no token": {"DOPPLER_TOKEN": None},
        "API down": {"DOPPLER_API_HOST": f"http://127.0.0.1:{free_port()}"},
    }[situation]
    env = copier_env(home, url, **changes)
    if situation == "not installed":  # copier itself is called by absolute path
        env["PATH"] = changes["PATH"]
    dest = tmp_path / "out"

    result = copy(dest, env)

    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert "make doppler-setup" in result.stdout
    assert (dest / "doppler.yaml").is_file()
    assert SERVICE_TOKEN not in (home / ".doppler/.doppler.yaml").read_text()


def _doppler_processes_in(repo: Path) -> list[str]:
    """Command lines of running doppler processes whose working directory is repo."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if Path(argv[0].decode()).name == "doppler" and (proc / "cwd").resolve() == repo:
                found.append(" ".join(a.decode() for a in argv))
        except (OSError, IndexError, UnicodeDecodeError):
            continue
    return found


def test_a_failed_check_stops_doppler_and_binds_nothing(tmp_path: Path, home: Path, rendered_default: Rendered) -> None:
    """`doppler me` runs alongside validation; when a check fails it is stopped, not waited for."""
    repo = tmp_path / "repo"
    shutil.copytree(rendered_default.path, repo, symlinks=True)
    (repo / "package.json").write_text("{ not json")
    with fake_doppler(DopplerState(delay=60)) as (url, state):  # an API that hangs
        env = copier_env(home, url)
        hook = subprocess.Popen(
            [sys.executable, str(REPO_ROOT / "hooks/post_generate.py"), "copy", "True"], cwd=repo, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        # The CLI gives up on the hung API after its 10 s request timeout: a hook that waited for
        # it rather than stopping it would still be running here.
        try:
            out, err = hook.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            hook.kill()
            raise
        left_running = _doppler_processes_in(repo)
        asked = [request.path for request in state.requests]

    assert hook.returncode == 1, out + err
    assert "package.json does not parse" in out
    assert "doppler" not in out.split("validate: ")[-1]
    assert left_running == []
    assert asked in ([], ["/v3/me"]), "only the login check may have reached the API"
    assert bound_project(repo, copier_env(home, url)) == []


def test_ctrl_c_in_the_hook_says_what_is_left_to_run_without_a_traceback(
    tmp_path: Path, home: Path, rendered_default: Rendered
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(rendered_default.path, repo, symlinks=True)
    with fake_doppler(DopplerState(delay=60)) as (url, _):  # the hook waits on `doppler me`
        hook = subprocess.Popen(
            [sys.executable, str(REPO_ROOT / "hooks/post_generate.py"), "copy", "True"], cwd=repo,
            env=copier_env(home, url), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, start_new_session=True,
        )  # fmt: skip
        try:
            out = until_line(hook.stdout, "validate: 10 passed")
            time.sleep(0.5)  # past the checks' last line: waiting on the hung API for the next 60 s
            os.killpg(hook.pid, signal.SIGINT)  # what Ctrl-C sends: to the hook and to `doppler me`
            rest, err = hook.communicate(timeout=10)
        finally:
            if hook.poll() is None:
                os.killpg(hook.pid, signal.SIGKILL)
                hook.wait()

    assert hook.returncode == 130, out + rest + err
    assert "Traceback" not in err, err
    stopped = [line.strip() for line in rest.splitlines() if line.strip().startswith(("stopped", "next"))]
    assert stopped == [
        "stopped   interrupted while binding Doppler, after the checks passed: run `make doppler-setup`",
        f"next      then the rest of the set-up: cd {repo} && git init -b main && make install && make test lint,"
        " commit, and push (README.md has the commands)",
    ], "Copier prints no next steps after a stopped task"


def test_ctrl_c_while_the_hook_starts_says_what_to_run_without_a_traceback(
    tmp_path: Path, rendered_default: Rendered
) -> None:
    """Ctrl-C can land while Python imports the hook's own modules: made to land there, every time."""
    trap = tmp_path / "trap"
    trap.mkdir()
    (trap / "sitecustomize.py").write_text(
        "import sys\n\n"
        "class CtrlC:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'doppler_setup':\n"
        "            raise KeyboardInterrupt\n\n"
        "sys.meta_path.insert(0, CtrlC())\n"
    )

    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "hooks/post_generate.py"), "copy", "True"], cwd=rendered_default.path,
        env=clean_env(PYTHONPATH=str(trap)), capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip

    assert result.returncode == 130, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout == "  stopped   interrupted before the checks; the files are in place: run `make validate`\n"


def until_line(stream, text: str) -> str:
    """What stream printed up to and including the first line containing text."""
    seen = ""
    for line in stream:
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"{text!r} never came: {seen}")


def test_modes_without_doppler_skip_it(tmp_path: Path, home: Path, doppler_api) -> None:
    url, _ = doppler_api
    result = copy(tmp_path / "out", copier_env(home, url), publish_via="trusted-publishing")

    assert result.returncode == 0, result.stderr
    assert "validate: 10 passed, 0 failed" in result.stdout
    assert "doppler" not in result.stdout.split("validate: 10 passed")[1]


def test_a_copy_from_a_relative_template_path_says_how_to_keep_updates_working(
    tmp_path: Path, home: Path, doppler_api
) -> None:
    """Copier records the path as typed, and `copier update` would read it from inside the repo."""
    url, _ = doppler_api
    relative = os.path.relpath(REPO_ROOT, tmp_path)
    command = copy_command(tmp_path / "out", default_answers())
    command[-2] = relative  # the template, as typed in tmp_path
    result = subprocess.run(
        command, cwd=tmp_path, env=copier_env(home, url), capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    absolute = copy(tmp_path / "out-absolute", copier_env(home, url))

    assert result.returncode == 0, result.stderr
    assert yaml.safe_load((tmp_path / "out/.copier-answers.yml").read_text())["_src_path"] == relative
    assert f"template  recorded as the relative path {relative!r}" in result.stdout
    assert "set _src_path in .copier-answers.yml to the template's absolute path" in result.stdout
    assert absolute.returncode == 0, absolute.stderr
    assert "recorded as the relative path" not in absolute.stdout


def type_at_the_token_prompt(dest: Path, env: dict[str, str], typed: bytes) -> tuple[int, bytes]:
    """An interactive copy on a terminal: "y" to storing the token, then typed at its hidden prompt.
    Its exit code and everything it showed."""
    command = [arg for arg in copy_command(dest, ALL_ANSWERS) if arg != "--defaults"]
    pid, terminal = pty.fork()
    if pid == 0:
        os.execve(COPIER, command, env)
    screen = until(terminal, b"in Doppler now?")
    os.write(terminal, b"y\r")
    screen += until(terminal, b"input hidden")
    os.write(terminal, typed)
    screen += drain(terminal)
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    return os.waitstatus_to_exitcode(status), screen


def test_interactive_copy_offers_to_store_the_token(tmp_path: Path, home: Path, doppler_api) -> None:
    url, state = doppler_api
    state.secrets[(PROJECT, CONFIG)] = {}
    with argv_containing(PYPI_TOKEN) as seen:
        code, screen = type_at_the_token_prompt(tmp_path / "out", copier_env(home, url, TERM="xterm"),
                                                PYPI_TOKEN.encode() + b"\r")  # fmt: skip
    words = ANSI_CODE.sub(b"", screen).decode(errors="replace").split()  # the report wraps on a terminal

    assert code == 0, screen.decode(errors="replace")
    assert "make token-check reads it back" in " ".join(words)
    assert state.secrets[(PROJECT, CONFIG)][SECRET] == PYPI_TOKEN
    assert PYPI_TOKEN.encode() not in screen
    assert seen == []


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        (b"\x03", "token cancelled; later: `make token-set` in the new repo"),  # Ctrl-C
        (b"pypi-abc def\r", "nothing was stored; next: make token-set"),
    ],
    ids=["ctrl-c", "refused"],
)
def test_a_token_not_stored_at_the_prompt_says_why(
    tmp_path: Path, home: Path, doppler_api, typed: bytes, said: str
) -> None:
    url, state = doppler_api
    state.secrets[(PROJECT, CONFIG)] = {}

    code, screen = type_at_the_token_prompt(tmp_path / "out", copier_env(home, url, TERM="xterm"), typed)

    shown = " ".join(ANSI_CODE.sub(b"", screen).decode(errors="replace").split())
    assert code == 0, shown
    assert said in shown
    assert state.secrets[(PROJECT, CONFIG)] == {}


def copy_asking_no_token(dest: Path, env: dict[str, str], answers: dict[str, str], marker: bytes) -> tuple[int, str]:
    """An interactive copy that must end by itself once marker shows: a token prompt would wait.
    Its exit code, and what it showed as one line of words (the report wraps on a terminal)."""
    command = [arg for arg in copy_command(dest, answers) if arg != "--defaults"]
    pid, terminal = pty.fork()
    if pid == 0:
        os.execve(COPIER, command, env)
    try:
        screen = until(terminal, marker)
        screen += drain(terminal, timeout=15)
    except AssertionError:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(terminal)
    return os.waitstatus_to_exitcode(status), " ".join(ANSI_CODE.sub(b"", screen).decode(errors="replace").split())


def test_interactive_copy_of_a_proprietary_package_asks_no_token(tmp_path: Path, home: Path, doppler_api) -> None:
    """Its token belongs to an index of the maintainer's own, which the copy knows nothing of yet."""
    url, state = doppler_api
    state.secrets[(PROJECT, CONFIG)] = {}
    answers = {**ALL_ANSWERS, "license": "Proprietary", "publish_via": "local-doppler"}

    code, words = copy_asking_no_token(
        tmp_path / "out", copier_env(home, url, TERM="xterm"), answers, b"doppler   this directory is bound"
    )

    assert code == 0, words
    assert "token not asked: store your own index's token with `UV_PUBLISH_URL=<upload URL> make token-set`" in words
    assert "Store the PyPI token" not in words
    assert state.secrets[(PROJECT, CONFIG)] == {}


def test_interactive_copy_logged_out_asks_for_no_token(tmp_path: Path, home: Path, doppler_api) -> None:
    """Doppler skipped: a token pasted now could not be stored, so the hook does not ask for one."""
    url, _ = doppler_api
    env = copier_env(home, url, TERM="xterm", DOPPLER_TOKEN=None)

    code, words = copy_asking_no_token(tmp_path / "out", env, ALL_ANSWERS, b"doppler   skipped")

    assert code == 0, words
    assert "you must provide a token" in words
    assert "Store the PyPI token" not in words


def replace_in(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new, 1))


def test_an_update_that_leaves_conflict_markers_in_the_validator_itself_names_them(tmp_path: Path) -> None:
    """The repo's validator cannot run with markers in it: the template's copy checks the repo instead."""
    template = template_clone(tmp_path)
    project = tmp_path / "project"
    render_from(template, project)
    commit_everything(project, "init")
    marker = "# What the template renders ({module} is module_name)."
    replace_in(project / "scripts/validate_repo.py", marker, marker + " Mine.")
    commit_everything(project, "docs: my note")
    replace_in(template / "template/scripts/validate_repo.py", marker, marker + " Theirs.")
    commit_everything(template, "docs: their note")
    git(template, "tag", "v1.0.1")

    result = attempt([COPIER, "update", "--trust", "--defaults", "--conflict", "inline"], project)

    assert "<<<<<<<" in (project / "scripts/validate_repo.py").read_text(), "the test needs a real conflict"
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "conflict markers in scripts/validate_repo.py" in result.stdout


def test_copy_without_trust_is_refused_with_a_message(tmp_path: Path) -> None:
    command = [arg for arg in copy_command(tmp_path / "out", default_answers()) if arg != "--trust"]
    result = subprocess.run(command, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)

    assert result.returncode != 0
    assert "unsafe" in result.stderr.lower() and "tasks" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_update_that_leaves_conflict_markers_fails(tmp_path: Path) -> None:
    template = template_clone(tmp_path)
    project = tmp_path / "project"
    render_from(template, project)
    commit_everything(project, "init")
    replace_in(project / ".editorconfig", "indent_size = 4", "indent_size = 3")
    commit_everything(project, "style: three spaces")
    replace_in(template / "template/.editorconfig", "indent_size = 4", "indent_size = 8")
    commit_everything(template, "style: eight spaces")
    git(template, "tag", "v1.0.1")

    result = attempt([COPIER, "update", "--trust", "--defaults", "--conflict", "inline"], project)

    assert "<<<<<<<" in (project / ".editorconfig").read_text(), "the test needs a real conflict"
    assert result.returncode != 0, result.stdout + result.stderr
    assert "conflict markers in .editorconfig" in result.stdout
    next_steps = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("next ")]
    assert len(next_steps) == 1 and "`git diff --name-only --diff-filter=U`" in next_steps[0], result.stdout
    listed = git(project, "diff", "--name-only", "--diff-filter=U")
    assert listed.split() == [".editorconfig"], "the command it gives lists the conflicted file"
