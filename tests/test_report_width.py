"""The hooks' report and the validator's checklist on a terminal: wrapped to its width, nothing lost."""

from __future__ import annotations

import fcntl
import importlib.util
import os
import pty
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
from pathlib import Path

from tests.environment import clean_env, doppler_home
from tests.rendering import Rendered
from tests.terminal import ANSI_CODE, drain
from tools.render import REPO_ROOT

HOOK = [sys.executable, str(REPO_ROOT / "hooks/post_generate.py"), "copy", "True"]


def load_say():
    spec = importlib.util.spec_from_file_location("say", REPO_ROOT / "hooks/say.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on_a_terminal(command: list[str], cwd: Path, env: dict[str, str], columns: int) -> tuple[int, str]:
    """Run command on a pseudo-terminal of the given width; its exit code and what it showed."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: stdin, stdout and stderr are the terminal
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        os.chdir(cwd)
        os.execve(command[0], command, env)
    try:
        screen = drain(terminal)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(terminal)
    text = ANSI_CODE.sub(b"", screen).decode(errors="replace").replace("\r\n", "\n")
    return os.waitstatus_to_exitcode(status), text


def test_a_copys_report_fits_an_80_column_terminal_and_loses_no_word(
    rendered_default: Rendered, tmp_path: Path
) -> None:
    # The Doppler CLI logged out: its "skipped" line, among the longest a copy prints.
    home = doppler_home(tmp_path / "home")
    env = clean_env(HOME=str(home), TERM="dumb", COLUMNS=None, DOPPLER_TOKEN=None)
    # A short path: the report's first line names it, and a path has no space to wrap at.
    with tempfile.TemporaryDirectory(prefix="w", dir="/tmp") as short:
        repo = Path(short) / "repo"
        shutil.copytree(rendered_default.path, repo, symlinks=True)
        piped = subprocess.run(
            HOOK, cwd=repo, env=env, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
        )
        code, shown = on_a_terminal(HOOK, repo, env, columns=80)

    assert piped.returncode == 0, piped.stdout + piped.stderr
    assert max(len(line) for line in piped.stdout.splitlines()) > 80, "the test needs a line to wrap"
    assert code == 0, shown
    too_wide = [line for line in shown.splitlines() if len(line) > 80]
    assert too_wide == [], shown
    assert shown.split() == piped.stdout.split(), "wrapping changed no word"
    assert "  ok    release-config    version step" in shown, "labels keep their columns"
    continued = [line for line in shown.splitlines() if line.startswith(" " * 26) and line.strip()]
    assert continued, "a check's detail continues under its own column"


def test_piped_output_keeps_one_line_per_entry(capsys) -> None:
    say = load_say()
    text = "word " * 40

    say.say("removed", text.strip())

    assert capsys.readouterr().out == f"  removed   {text.strip()}\n"


def test_a_command_in_backticks_is_never_split() -> None:
    say = load_say()
    command = "git checkout HEAD -- src/acme_widgets && git mv -k -f src/acme_widgets/* src/acme_gadgets/"
    line = f"  module    module_name is now acme_gadgets (was acme_widgets): move it over (`{command}`), then go"

    lines = say.wrap(line, say.GUTTER, 60).splitlines()

    assert [text for text in lines if command in text] == [f"            (`{command}`),"]
    assert all(len(text) <= 60 for text in lines if command not in text), lines
    assert all(text.startswith(" " * say.GUTTER) for text in lines[1:]), lines
    assert " ".join(lines).split() == line.split()


def test_the_validators_next_command_stays_whole_on_a_narrow_terminal(rendered_default: Rendered) -> None:
    with tempfile.TemporaryDirectory(prefix="w", dir="/tmp") as short:
        repo = Path(short) / "repo"
        shutil.copytree(rendered_default.path, repo, symlinks=True)
        (repo / "package.json").write_text("{ not json")
        validator = [sys.executable, "scripts/validate_repo.py"]
        code, shown = on_a_terminal(validator, repo, clean_env(COLUMNS=None), columns=60)

    assert code == 1, shown
    assert "FAIL  files-parse" in shown
    assert [line for line in shown.splitlines() if "`uv run python scripts/validate_repo.py`" in line], shown
    assert [line for line in shown.splitlines() if len(line) > 60 and "`" not in line] == [], shown
