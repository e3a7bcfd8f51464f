"""Bad answers are refused by `copier copy` with a message naming the rule."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import termios
import time
from pathlib import Path

import pytest
import yaml

from tests.rendering import answer_rules_table, copier_jinja, default_answers, every_answer, fill_rule
from tests.terminal import ANSI_CODE, drain, until
from tools.render import COPIER, REPO_ROOT, copier_copy, copy_command

# (answers to override, a phrase of the rule the message must name)
BAD_ANSWERS = [
    ({"project_name": "123 Widgets"}, "project_name must start with a letter"),
    ({"project_name": "x" * 81}, "at most 80 characters"),
    ({"package_name": "Bad Name"}, "package_name must be a PEP 508 distribution name"),
    ({"package_name": "-acme"}, "starting and ending with a letter or digit"),
    ({"package_name": "Acme_Widgets"}, 'the form PyPI normalises to (PEP 503: lowercase, each run of "-", "_" or "."'),
    ({"package_name": "Acme_Widgets"}, 'package_name must be "acme-widgets", the form PyPI normalises to'),
    ({"package_name": "acme--widgets"}, 'package_name must be "acme-widgets"'),
    ({"module_name": "class"}, "module_name must not be a Python keyword"),
    ({"module_name": "Acme"}, "module_name must be a lowercase Python identifier"),
    ({"module_name": "1acme"}, "not starting with a digit"),
    ({"module_name": "__init__"}, 'module_name must not start with "__"'),
    ({"module_name": "acme-widgets"}, "module_name must be a lowercase Python identifier"),
    ({"description": "d" * 201}, "description must be one non-empty line of at most 200 characters"),
    ({"description": "two\nlines"}, "description must be one non-empty line"),
    ({"author_name": "   "}, "author_name must be one non-empty line"),
    ({"author_name": "Ann <ann@x.org>"}, 'without "<" or ">"'),
    ({"project_name": "Acme Widgets "}, "project_name must not start or end with a space"),
    ({"description": " Widgets."}, "description must not start or end with a space"),
    ({"author_name": " Ann Author"}, "author_name must not start or end with a space"),
    ({"project_name": "Acme\u202eWidgets"}, "project_name must not contain a zero-width space"),  # trojan source
    ({"description": "Widgets\u200b."}, "description must not contain a zero-width space"),
    ({"author_name": "Ann \u2066Author"}, "author_name must not contain a zero-width space"),
    ({"author_email": "not-an-email"}, "author_email must look like name@example.com"),
    ({"author_email": "a@localhost"}, "a domain with a dot"),
    ({"author_email": "a b@example.com"}, "no spaces"),
    ({"github_owner": "-acme"}, "github_owner must be a GitHub user or organisation name"),
    ({"github_owner": "acme--co"}, "single hyphens"),
    ({"github_owner": "a" * 40}, "at most 39"),
    ({"github_repo": "my repo"}, "github_repo must be a GitHub repository name"),
    ({"github_repo": ".."}, 'not "." or ".."'),
    ({"github_repo": "widgets.git"}, 'not ending in ".git"'),
    ({"python_min": "3.9"}, "python_min must be one of 3.10, 3.11, 3.12, 3.13, 3.14"),
    ({"license": "GPL-3.0"}, "license must be one of MIT, Apache-2.0, BSD-3-Clause, Proprietary"),
    ({"publish_via": "twine"}, "publish_via must be one of local-doppler, trusted-publishing"),
    ({"doppler_project": "Acme Widgets"}, "doppler_project must be a Doppler project slug"),
    ({"doppler_config": "Dev"}, "doppler_config must be a Doppler config name"),
    ({"pypi_token_secret": "pypi-token"}, "pypi_token_secret must be a secret name both Doppler and GitHub accept"),
    ({"pypi_token_secret": "1TOKEN"}, "not starting with a digit"),
    ({"pypi_token_secret": "GITHUB_PYPI"}, "must not start with GITHUB_ or DOPPLER_"),
    ({"release_branch": "release..1"}, "release_branch must be a git branch name (git check-ref-format)"),
    ({"release_branch": "main.lock"}, "release_branch must be a git branch name (git check-ref-format)"),
    ({"release_branch": "bad branch"}, "release_branch must be a git branch name (git check-ref-format)"),
    ({"release_branch": "a/b.lock/c"}, 'a part ending in ".lock"'),
    ({"release_branch": "HEAD"}, "or the name HEAD"),
    ({"package_name": "a" * 101}, "package_name must be a PEP 508 distribution name of at most 100"),
    ({"module_name": "a" * 81}, "module_name must be a lowercase Python identifier of at most 80 characters"),
    ({"module_name": "secrets"}, 'module_name must not be a standard-library module name ("import secrets"'),
    ({"pypi_token_secret": "A" * 101}, "at most 100 uppercase letters"),
    ({"release_branch": "b" * 101}, "git branch name (git check-ref-format) of at most 100 characters"),
    ({"author_email": "a\\b@example.com"}, "no spaces, quotes or backslashes"),
    ({"description": "fill {{ this }} in"}, 'description must not contain "{{", "{%" or "{#"'),
    ({"author_name": "Ann {# x"}, 'author_name must not contain "{{", "{%" or "{#"'),
    ({"author_email": "{{x}}@example.com"}, 'author_email must not contain "{{", "{%" or "{#"'),
    ({"release_branch": "main\n"}, "release_branch must be a git branch name (git check-ref-format)"),
    ({"release_branch": "1.x"}, "release_branch must not be named like a maintenance range such as 1.x"),
    ({"release_branch": "2.3.X"}, "semantic-release reserves those names for maintenance branches"),
    ({"copyright_year": "26"}, "copyright_year must be a four-digit year from 1970 to 2999"),
    ({"copyright_year": "3000"}, "copyright_year must be a four-digit year from 1970 to 2999"),
    ({"project_name": "Acme\x85Widgets"}, "project_name must start with a letter and be one line"),
    ({"description": "two\u2028lines"}, "description must be one non-empty line"),
    ({"author_name": "Ann\u2029Lee"}, "author_name must be one non-empty line"),
    ({"author_email": ".ann@example.com"}, 'no "." at either end of the name or twice in a row'),
    ({"author_email": "ann..lee@example.com"}, 'no "." at either end of the name or twice in a row'),
    ({"author_email": "ann.@example.com"}, 'no "." at either end of the name or twice in a row'),
    ({"author_email": "ann@-example.com"}, "author_email must look like name@example.com"),
    # A space pasted at either end is invisible in the answer: the rule that names it comes first.
    ({"project_name": "   Acme Widgets"}, "project_name must not start or end with a space"),
    ({"package_name": "acme-widgets "}, "package_name must not start or end with a space"),
    ({"module_name": " acme_widgets"}, "module_name must not start or end with a space"),
    ({"author_email": "ann@example.com "}, "author_email must not start or end with a space"),
    ({"github_owner": "acme "}, "github_owner must not start or end with a space"),
    ({"github_repo": "acme-widgets "}, "github_repo must not start or end with a space"),
]


# Answers whose own value is fine but whose derived defaults break a rule.
DERIVED_BAD_ANSWERS = [
    ({"project_name": "Import"}, "module_name must not be a Python keyword"),
    ({"project_name": "A" + "b" * 60}, "doppler_project must be a Doppler project slug"),
    ({"project_name": "A" + "b" * 60}, "(derived from project_name; pass -d doppler_project=...)"),
    ({"package_name": "123-widgets"}, "(derived from package_name; pass -d module_name=...)"),
    ({"project_name": "Json"}, "module_name must not be a standard-library module name"),
    ({"project_name": "Été Café"}, 'letters or digits outside ASCII (it would be "t-caf")'),
    ({"project_name": "Widgets²"}, 'letters or digits outside ASCII (it would be "widgets")'),
]
# Answers fine alone but not together; the second one's question (asked later) refuses it.
PAIR_BAD_ANSWERS = [
    (
        {"license": "Proprietary", "publish_via": "token-secret"},
        "publish_via token-secret publishes to PyPI, which refuses",
    ),
    ({"license": "Proprietary", "publish_via": "trusted-publishing"}, "use local-doppler, whose make publish"),
    ({"license": "Proprietary", "publish_via": "doppler-ci"}, "publish_via doppler-ci publishes to PyPI"),
]
ALL_BAD = BAD_ANSWERS + DERIVED_BAD_ANSWERS + PAIR_BAD_ANSWERS


def _case_id(case: tuple[dict[str, str], str]) -> str:
    return ",".join(f"{name}={value[:12]!r}" for name, value in case[0].items())


@pytest.mark.parametrize(("override", "rule"), ALL_BAD, ids=[_case_id(c) for c in ALL_BAD])
def test_copier_copy_refuses_bad_answer(tmp_path: Path, override: dict[str, str], rule: str) -> None:
    dest = tmp_path / "out"
    result = copier_copy(dest, {**default_answers(), **override})

    assert result.returncode != 0
    assert rule in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "\\'" not in result.stderr, "no message of the table shows an escaped quote"
    assert not dest.exists(), "nothing may be written for a refused answer"


def test_missing_required_answers_are_named(tmp_path: Path) -> None:
    result = copier_copy(tmp_path / "out", {"project_name": "Acme Widgets"})

    assert result.returncode != 0
    for name in ("author_name", "author_email", "github_owner"):
        assert f"{name} is required: pass -d {name}=..." in result.stderr
    assert "Traceback" not in result.stderr


def test_a_long_name_needs_no_doppler_project_in_a_mode_without_doppler(tmp_path: Path) -> None:
    """doppler_project is not asked there, so its derived default must not stop the copy."""
    answers = {**default_answers(), "project_name": "A" + "b" * 60, "publish_via": "trusted-publishing"}

    result = copier_copy(tmp_path / "out", answers)

    assert result.returncode == 0, result.stderr
    assert "doppler_project" not in (tmp_path / "out/.copier-answers.yml").read_text()


def test_a_misspelt_question_is_refused_not_ignored(tmp_path: Path) -> None:
    """Copier itself would render the default licence and say nothing."""
    result = copier_copy(tmp_path / "out", {**default_answers(), "licence": "Apache-2.0"})

    assert result.returncode != 0
    assert "this template has no question licence (its questions: project_name, package_name," in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_pypi_token_given_as_the_secret_name_is_not_shown_again(tmp_path: Path) -> None:
    token = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLW1pc3Rha2Vu"
    result = copier_copy(tmp_path / "out", {**default_answers(), "pypi_token_secret": token})

    assert result.returncode != 0
    assert "pypi_token_secret must be a secret name both Doppler and GitHub accept" in result.stderr
    assert "(got what looks like a PyPI token itself: revoke it on PyPI, your shell history has it)" in result.stderr
    assert token not in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()


def test_symbols_beyond_ascii_need_no_package_name(render) -> None:
    """Only letters the slug would drop stop a --defaults copy; dashes and marks are dropped anyway."""
    answers = render(project_name="Acme — Widgets™").yaml(".copier-answers.yml")

    assert answers["package_name"] == "acme-widgets"


def test_a_project_name_beyond_ascii_renders_with_its_package_name(render) -> None:
    answers = render(project_name="Été Café", package_name="ete-cafe").yaml(".copier-answers.yml")

    assert (answers["project_name"], answers["module_name"]) == ("Été Café", "ete_cafe")


@pytest.mark.parametrize(("override", "rule"), BAD_ANSWERS, ids=[_case_id(c) for c in BAD_ANSWERS])
def test_interactive_validator_names_the_same_rule(override: dict[str, str], rule: str) -> None:
    """Each question's own validator (what an interactive prompt shows) refuses the value too, in brief."""
    ((name, value),) = override.items()
    question = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())[name]
    context = {**default_answers(), "package_name": "acme-widgets", name: value}

    broken = next(r for r in answer_rules_table()["RULES"][name] if re.search(r[0], value) is None)

    shown = copier_jinja().from_string(question["validator"]).render(context).strip()

    assert rule in fill_rule(broken[1], value), "the rule the gate names is the first one broken"
    assert shown == fill_rule(broken[2], value), "the prompt shows that rule's brief"


@pytest.mark.parametrize(("override", "rule"), PAIR_BAD_ANSWERS, ids=[_case_id(c) for c in PAIR_BAD_ANSWERS])
def test_the_later_question_refuses_a_bad_pair_interactively(override: dict[str, str], rule: str) -> None:
    question = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())["publish_via"]
    context = {**default_answers(), **override}

    assert rule in copier_jinja().from_string(question["validator"]).render(context).strip()
    context["publish_via"] = "local-doppler"
    assert copier_jinja().from_string(question["validator"]).render(context).strip() == ""


def test_the_publish_prompt_disables_the_ci_modes_for_a_proprietary_licence(tmp_path: Path) -> None:
    """A select prompt runs no question validator: the CI choices themselves must be disabled."""
    answers = every_answer(license="Proprietary")
    del answers["publish_via"]  # the one question asked
    command = [arg for arg in copy_command(tmp_path / "out", answers, "--skip-tasks") if arg != "--defaults"]
    pid, terminal = pty.fork()
    if pid == 0:  # the child: Copier on an 80-column terminal, asking the one question not given with -d
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.execve(COPIER, command, {**os.environ, "TERM": "xterm"})
    screen = until(terminal, b"token-secret: GitHub Actions")
    for key in (b"\x1b[B", b"\x1b[B", b"\x1b[B", b"\r"):  # three times down, then enter
        os.write(terminal, key)
        time.sleep(0.2)
    screen += drain(terminal)
    _, status = os.waitpid(pid, 0)
    os.close(terminal)

    assert os.waitstatus_to_exitcode(status) == 0, screen.decode(errors="replace")[-2000:]
    plain = ANSI_CODE.sub(b"", screen).decode(errors="replace")
    # The prompt cuts each line at 80 columns: the whole reason shows only when it fits.
    assert plain.count("(not for Proprietary)") >= 3, plain[-2000:]
    assert "How releases are published: local-doppler only, to your own index" in plain, plain[-2000:]
    recorded = yaml.safe_load((tmp_path / "out/.copier-answers.yml").read_text())
    assert recorded["publish_via"] == "local-doppler", "the cursor cannot rest on a disabled choice"


def test_every_disabled_publish_choice_fits_an_80_column_terminal() -> None:
    """A disabled choice shows as "   - TITLE (REASON)" on one line, cut at the terminal's width."""
    choices = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())["publish_via"]["choices"]
    disabled = {title: choice for title, choice in choices.items() if isinstance(choice, dict)}
    assert len(disabled) == 3, "the three CI modes can be disabled"
    for title, choice in disabled.items():
        reason = copier_jinja().from_string(choice["validator"]).render(license="Proprietary").strip()
        assert reason
        assert len(f"   - {title} ({reason})") <= 79, title


def test_a_prompt_shows_the_whole_rule_on_an_80_column_terminal(tmp_path: Path) -> None:
    """The prompt's error line is cut at the terminal's width: the brief must fit in it whole."""
    answers = every_answer()
    del answers["package_name"]  # the one question asked
    command = [arg for arg in copy_command(tmp_path / "out", answers, "--skip-tasks") if arg != "--defaults"]
    pid, terminal = pty.fork()
    if pid == 0:  # the child: Copier on a classic 80-column terminal
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.execve(COPIER, command, {**os.environ, "TERM": "xterm"})
    try:
        until(terminal, b"Distribution name on PyPI")
        os.write(terminal, b"\x15Acme_Widgets")  # Ctrl-U clears the default, then a name PyPI would normalise
        time.sleep(0.2)
        os.write(terminal, b"\r")
        screen = until(terminal, b"Validation error for question 'package_name': ")
        screen += until(terminal, b"(PEP 503 form)", timeout=10)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(terminal)

    lines = ANSI_CODE.sub(b"", screen).decode(errors="replace").replace("\r", "\n").splitlines()
    error = next(line for line in lines if "Validation error" in line)
    assert error.strip() == "Validation error for question 'package_name': use \"acme-widgets\" (PEP 503 form)"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("project_name", "Acme Widgets"),
        ("project_name", "Über Tools"),
        ("package_name", "acme-widgets"),
        ("module_name", "acme_widgets"),
        ("author_email", "first.last+tag@mail.example.co.uk"),
        ("github_owner", "Acme-Co"),
        ("github_repo", "acme.widgets_py"),
        ("pypi_token_secret", "PYPI_API_TOKEN"),
        ("release_branch", "release/1.x"),
        ("doppler_config", "prd_ci"),
    ],
)
def test_validators_accept_good_values(name: str, value: str) -> None:
    question = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())[name]
    assert copier_jinja().from_string(question["validator"]).render({name: value}).strip() == ""
