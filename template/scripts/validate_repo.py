"""Check that this repository is the consistent whole the copier-pypi-release template renders.

One validator, three uses: Copier runs it after every `copier copy` and `copier update`,
`make validate` runs it here, and so does CI. Prints one line per check (wrapped to the width of
a terminal) and a count, and exits non-zero when anything fails. Needs PyYAML, and on Python
3.10 tomlkit (the dev dependencies; Copier's own environment has PyYAML, and gets tomlkit with
`uv tool install copier --with tomlkit`).

Usage: python scripts/validate_repo.py [REPO]   (default: the current directory)
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

try:
    import yaml

    try:
        # The standard library's TOML parser (Python 3.11+): cheap to import, and this runs on
        # every copy. tomlkit (a dev dependency) stands in for it on Python 3.10.
        from tomllib import loads as load_toml
    except ImportError:
        import tomlkit

        def load_toml(source: str) -> Any:
            return tomlkit.parse(source).unwrap()

except ImportError as missing:  # say how to fix it rather than crash
    sys.exit(
        f"validate: cannot check this repository: the Python module {missing.name!r} is missing.\n"
        "  In this repository: make install (it is a dev dependency).\n"
        "  For Copier: uv tool install --force copier --with tomlkit "
        "(or: pipx inject copier tomlkit pyyaml)."
    )

# libyaml's loader when PyYAML has it: several times faster, and this runs on every copy.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Environments, caches and build output: nothing in them is the repo's own.
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "dist",
    "build",
    "__pycache__",
}
DOPPLER_MODES = ("local-doppler", "doppler-ci")
# What the template renders ({module} is module_name). The checks read these files, never the
# maintainer's own code, docs or editor settings; the template's tests keep this list exact.
RENDERED = (
    ".copier-answers.yml", ".editorconfig", ".gitignore", ".github/workflows/ci.yml",
    ".github/workflows/release.yml", ".releaserc.json", "CHANGELOG.md", "LICENSE", "Makefile",
    "README.md", "docs/publishing.md", "docs/releasing.md", "package.json", "package-lock.json",
    "pyproject.toml", "scripts/publish_checks.py", "scripts/release-outputs.sh",
    "scripts/release-preview.mjs", "scripts/ruff.toml", "scripts/set-version.sh",
    "scripts/validate_repo.py", "src/{module}/__init__.py", "src/{module}/py.typed",
    "tests/test_{module}.py",
)  # fmt: skip
RENDERED_IN_MODE = {
    "local-doppler": ("doppler.yaml", "scripts/pypi-token.sh", "scripts/publish-to-pypi.sh"),
    "doppler-ci": ("doppler.yaml", "scripts/pypi-token.sh", "scripts/publish-from-ci.sh"),
    "token-secret": ("scripts/publish-from-ci.sh",),
    "trusted-publishing": ("scripts/publish-from-ci.sh",),
}
# Rendered once, then the maintainer's (Copier's _skip_if_exists): their text is theirs.
OWNED = ("CHANGELOG.md", "src/{module}/__init__.py", "tests/test_{module}.py")
# A phrase each licence text has, whatever copyright line or layout the maintainer gives it.
LICENSE_PHRASES = {
    "MIT": "Permission is hereby granted, free of charge",
    "Apache-2.0": "Apache License",
    "BSD-3-Clause": "Redistribution and use in source and binary forms",
    "Proprietary": "This software is proprietary",
}
# A Jinja expression, statement or comment opening; GitHub's ${{ }} is removed first.
JINJA = re.compile(r"\{\{-? ?[\w(]|\{%-? ?[a-z]|\{#-? ")
GITHUB_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
CONFLICT_MARKER = re.compile(r"^(<{7}|>{7}) ", re.MULTILINE)
MAKE_CALL = re.compile(r"(?:^|[;&|]\s*)make\s+([^;&|\n]+)", re.MULTILINE)
SCRIPT_CALL = re.compile(r"(?:^|[\s;&|])(?:\./)?(scripts/[\w./-]+)")
# `__version__ = version("name")` and the smoke test's `__version__ == version("name")`.
VERSION_LOOKUP = re.compile(r"__version__\s*==?\s*version\(\s*[\"']([^\"']+)[\"']\s*\)")


class Failed(Exception):
    """A check found a problem; the message is its one-line reason."""


class Unparsable(Exception):
    """A file a check needs does not parse: files-parse reports it, the others skip."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path} does not parse: {reason}")
        self.reason = reason


def files(repo: Path) -> Iterator[Path]:
    """Every file of the repository, skipping environments, caches and build output."""
    for root, dirs, names in os.walk(repo):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith("_cache")]
        for name in names:
            yield Path(root, name)


def text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def load_yaml(source: str) -> Any:
    return yaml.load(source, Loader=YAML_LOADER)  # a safe loader, C or Python


PARSERS: dict[str, Callable[[str], Any]] = {
    ".json": json.loads,
    ".toml": load_toml,
    ".yml": load_yaml,
    ".yaml": load_yaml,
}


@functools.cache
def parsed(path: Path) -> Any:
    """A JSON, TOML or YAML file's content, parsed once per run; Unparsable when it cannot be."""
    try:
        return PARSERS[path.suffix](path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        raise
    except Exception as error:  # every parser has its own error type
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise Unparsable(path, first_line) from error


def answers(repo: Path) -> dict:
    return parsed(repo / ".copier-answers.yml") or {}


def pyproject(repo: Path) -> dict:
    return parsed(repo / "pyproject.toml")


@functools.cache
def rendered(repo: Path, *, owned: bool = True) -> tuple[Path, ...]:
    """The rendered files that exist here; without the maintainer's own when owned is False."""
    try:
        wanted = answers(repo)
    except Exception:  # files-parse reports a broken answers file
        wanted = {}
    if not isinstance(wanted, dict):
        wanted = {}
    mode = str(wanted.get("publish_via"))
    # Without usable answers, every mode's files and every module: fewer answers, not fewer checks.
    extra = RENDERED_IN_MODE.get(mode) or sorted(
        {n for names in RENDERED_IN_MODE.values() for n in names}
    )
    names = [*RENDERED, *extra]
    if not owned:
        names = [name for name in names if name not in OWNED]
    module = str(wanted.get("module_name", "") or "*")
    paths = set()
    for name in names:
        paths.update(repo.glob(name.format(module=module)) if "{module}" in name else [repo / name])
    return tuple(sorted(path for path in paths if path.is_file()))


# ---- the checks: each returns a one-line summary or raises Failed -------------------------


def check_files_parse(repo: Path) -> str:
    count = 0
    for path in rendered(repo):
        if path.suffix not in PARSERS:
            continue
        try:
            parsed(path)
        except Unparsable as error:
            raise Failed(f"{path.relative_to(repo)} does not parse: {error.reason}") from error
        count += 1
    return f"{count} JSON, TOML and YAML files parse"


def check_release_config(repo: Path) -> str:
    config = parsed(repo / ".releaserc.json")
    plugins = [p if isinstance(p, list) else [p, {}] for p in config.get("plugins", [])]
    names = [name for name, *_ in plugins]
    options = {name: (rest[0] if rest else {}) for name, *rest in plugins}
    for required in ("@semantic-release/exec", "@semantic-release/git"):
        if required not in names:
            raise Failed(f".releaserc.json has no {required}")
    if names.index("@semantic-release/exec") > names.index("@semantic-release/git"):
        raise Failed(".releaserc.json runs @semantic-release/git before the version step (exec)")
    if "scripts/set-version.sh" not in options["@semantic-release/exec"].get("prepareCmd", ""):
        raise Failed(".releaserc.json's version step does not run scripts/set-version.sh")
    writes = subprocess.run(
        ["bash", "scripts/set-version.sh", "--files"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    changelog = options.get("@semantic-release/changelog", {}).get("changelogFile", "CHANGELOG.md")
    missing = sorted({*writes, changelog} - set(options["@semantic-release/git"].get("assets", [])))
    if missing:
        left_out = ", ".join(missing)
        raise Failed(
            f"the release commit would leave out {left_out}: add them to the git plugin's assets"
        )
    covered = ", ".join([*writes, changelog])
    return f"version step before the git plugin, whose assets cover {covered}"


def check_project_metadata(repo: Path) -> str:
    project, wanted = pyproject(repo).get("project", {}), answers(repo)
    problems = []
    if project.get("name") != wanted.get("package_name"):
        problems.append(
            f"name is {project.get('name')!r}, answers say {wanted.get('package_name')!r}"
        )
    if not re.fullmatch(r"\d+\.\d+\.\d+", str(project.get("version", ""))):
        problems.append(f"version {project.get('version')!r} is not X.Y.Z")
    if project.get("requires-python") != f">={wanted.get('python_min')}":
        found, floor = project.get("requires-python"), wanted.get("python_min")
        problems.append(f"requires-python is {found!r}, answers say >={floor}")
    license_id = str(wanted.get("license"))
    expression = "LicenseRef-Proprietary" if license_id == "Proprietary" else license_id
    if project.get("license") != expression:
        problems.append(f"license is {project.get('license')!r}, answers say {expression!r}")
    phrase = LICENSE_PHRASES.get(license_id, "")
    if phrase not in " ".join((text(repo / "LICENSE") or "").split()):
        # An update that changes the answer merges the new text; this catches a LICENSE
        # replaced by hand, or the old text kept while resolving that merge.
        problems.append(
            f"LICENSE is not the {license_id} text: change the answer to match it (copier update"
            f" --trust -d license=...) or restore the {license_id} text"
        )
    if problems:
        raise Failed("pyproject.toml [project]: " + "; ".join(problems))
    floor = project["requires-python"]
    return f"{project['name']} {project['version']}, requires-python {floor}, licence {license_id}"


def check_package_layout(repo: Path) -> str:
    """The wheel holds the build backend's module(s) only: code elsewhere in src/ is left out."""
    module = str(answers(repo).get("module_name"))
    backend = pyproject(repo).get("tool", {}).get("uv", {}).get("build-backend", {})
    built = backend.get("module-name")
    modules = [built] if isinstance(built, str) else list(built or [])
    if module not in modules:
        where = "pyproject.toml [tool.uv.build-backend]"
        raise Failed(f"{where} module-name is {built!r}, answers say {module!r}")
    root = str(backend.get("module-root", "src"))
    if root != "src":  # a layout of the maintainer's own: only src/ is the wheel's alone to check
        return f"the wheel builds {', '.join(modules)} from {root or 'the repository root'}"
    if not backend.get("namespace") and not (repo / "src" / module / "__init__.py").is_file():
        raise Failed(f"src/{module}/__init__.py is missing: the wheel would have no {module}")
    # A dotted name (a namespace package's module) is a nested folder.
    built_dirs = [Path("src", *str(name).split(".")) for name in modules]
    left_out = sorted(
        path.relative_to(repo).as_posix()
        for path in (repo / "src").rglob("*.py")
        if not any(path.relative_to(repo).is_relative_to(folder) for folder in built_dirs)
    )
    if left_out:
        # After a new module_name, the old module's other files stay behind (Copier removes
        # only what it rendered), and the wheel silently leaves them out.
        raise Failed(
            f"{', '.join(left_out)}: not in the wheel, which builds {', '.join(modules)} only; move"
            f" them into src/{module}/ (after a new module_name, the update's module line has the"
            " commands) or add their module to module-name in pyproject.toml"
        )
    package = str(answers(repo).get("package_name"))
    stale = stale_version_lookups(repo, module, package)
    if stale:
        raise Failed(
            f"{'; '.join(stale)}, but package_name is {package}: put {package} there (no"
            " distribution of the old name is installed, so the import fails)"
        )
    return f"the wheel builds {', '.join(folder.as_posix() for folder in built_dirs)}"


def stale_version_lookups(repo: Path, module: str, package: str) -> list[str]:
    """The package's and its smoke test's version("...") of __version__ naming another distribution.

    Both files are the maintainer's after the copy, so an update to a new package_name leaves
    them reading the old name's metadata, which is no longer installed."""
    stale = []
    for relative in (f"src/{module}/__init__.py", f"tests/test_{module}.py"):
        for name in VERSION_LOOKUP.findall(text(repo / relative) or ""):
            if normalise(name) != normalise(package):
                stale.append(f'{relative} reads version("{name}")')
    return stale


def normalise(name: str) -> str:
    """PEP 503: the name as the installed metadata is looked up."""
    return re.sub(r"[-_.]+", "-", name).lower()


def check_versions_agree(repo: Path) -> str:
    version = pyproject(repo)["project"]["version"]
    package = parsed(repo / "package.json")["version"]
    lock = parsed(repo / "package-lock.json")["version"]
    if not version == package == lock:
        raise Failed(
            f"pyproject.toml says {version}, package.json {package}, package-lock.json {lock}"
        )
    return f"pyproject.toml, package.json and package-lock.json are at {version}"


def check_doppler_yaml(repo: Path) -> str:
    stray = [str(p.relative_to(repo)) for p in files(repo) if p.name == ".doppler.yaml"]
    if stray:
        raise Failed(
            f"{', '.join(stray)} is never read by the Doppler CLI; the file is doppler.yaml"
        )
    wanted = answers(repo)
    if wanted.get("publish_via") not in DOPPLER_MODES:
        return "not used in this publish mode"
    setup = (parsed(repo / "doppler.yaml") or {}).get("setup")
    entry = (setup[0] if isinstance(setup, list) and setup else setup) or {}
    found = (entry.get("project"), entry.get("config"))
    expected = (wanted.get("doppler_project"), wanted.get("doppler_config"))
    if found != expected:
        raise Failed(
            f"doppler.yaml names {found[0]}/{found[1]}, answers say {expected[0]}/{expected[1]}"
        )
    return f"{found[0]}/{found[1]}, no .doppler.yaml"


def check_scripts(repo: Path) -> str:
    scripts = [path for path in rendered(repo) if path.suffix in (".sh", ".mjs")]
    not_executable = [s.name for s in scripts if not os.access(s, os.X_OK)]
    if not_executable:
        raise Failed(f"not executable: {', '.join(not_executable)} (chmod +x)")
    shell = [path for path in scripts if path.suffix == ".sh"]
    # One bash -n per script, all at once.
    syntax = {
        s: subprocess.Popen(["bash", "-n", str(s)], stderr=subprocess.PIPE, text=True)
        for s in shell
    }
    for script, process in syntax.items():
        _, errors = process.communicate()
        if process.returncode != 0:
            raise Failed(f"bash -n {script.relative_to(repo)}: {errors.strip().splitlines()[0]}")
    return f"{len(scripts)} scripts executable, {len(shell)} pass bash -n"


def makefile_targets(repo: Path) -> set[str]:
    targets = set()
    for line in (repo / "Makefile").read_text(encoding="utf-8").splitlines():
        head, sep, rest = line.partition(":")
        if sep and not line.startswith(("\t", " ", "#")) and not rest.startswith("="):
            targets.update(name for name in head.split() if re.fullmatch(r"[a-z][a-z0-9-]*", name))
    return targets


def check_workflows(repo: Path) -> str:
    targets, called, scripts = makefile_targets(repo), set(), set()
    workflows = [path for path in rendered(repo) if path.parent.name == "workflows"]
    for workflow in workflows:
        for job in (parsed(workflow).get("jobs") or {}).values():
            for step in job.get("steps", []):
                run = step.get("run", "")
                called |= {
                    t
                    for args in MAKE_CALL.findall(run)
                    for t in args.split()
                    if not t.startswith("-")
                }
                scripts |= set(SCRIPT_CALL.findall(run))
    missing = sorted(called - targets) + sorted(s for s in scripts if not (repo / s).is_file())
    if missing:
        raise Failed(f"workflows call what does not exist: {', '.join(missing)}")
    count = f"{len(called)} make targets and {len(scripts)} scripts"
    return f"{len(workflows)} workflows call {count}, all present"


def check_no_jinja(repo: Path) -> str:
    scanned = 0
    for path in rendered(repo, owned=False):
        content = text(path)
        if content is None:
            continue
        scanned += 1
        if JINJA.search(GITHUB_EXPRESSION.sub("", content)) or path.suffix == ".jinja":
            raise Failed(f"unrendered Jinja in {path.relative_to(repo)}")
    return f"no unrendered Jinja in {scanned} files"


def check_no_conflicts(repo: Path) -> str:
    rejects = [str(p.relative_to(repo)) for p in files(repo) if p.suffix == ".rej"]
    if rejects:
        listed = ", ".join(sorted(rejects))
        raise Failed(
            f"copier update could not apply your own changes to the new template version: they"
            f" are in {listed}, the files now hold the template's version (merge the .rej by"
            " hand, then delete it)"
        )
    marked = [
        str(p.relative_to(repo)) for p in rendered(repo) if CONFLICT_MARKER.search(text(p) or "")
    ]
    if marked:
        raise Failed(
            f"conflict markers in {', '.join(sorted(marked))} (resolve them before committing)"
        )
    return "no conflict markers, no .rej files"


# Conflicts first: a conflicted file fails the other checks too, and this says why.
CHECKS: list[tuple[str, Callable[[Path], str]]] = [
    ("no-conflicts", check_no_conflicts),
    ("files-parse", check_files_parse),
    ("release-config", check_release_config),
    ("project-metadata", check_project_metadata),
    ("package-layout", check_package_layout),
    ("versions-agree", check_versions_agree),
    ("doppler-yaml", check_doppler_yaml),
    ("scripts", check_scripts),
    ("workflows", check_workflows),
    ("no-jinja", check_no_jinja),
]


def on_terminal(line: str, indent: int) -> str:
    """On a terminal, the line wrapped at its width, later lines indented; piped, unchanged."""
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 0
    if not width or len(line) <= width:
        return line
    # textwrap breaks at ASCII spaces only: a NUL keeps a `command` in backticks on one line.
    kept = re.sub(r"`[^`]*`", lambda command: command.group().replace(" ", "\0"), line)
    wrapped = textwrap.wrap(
        kept,
        width=max(width, indent + 20),
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(wrapped).replace("\0", " ")


def validate(repo: Path) -> int:
    """Run every check, print the checklist, return the number that failed or could not run."""
    failed = skipped = 0
    for name, check in CHECKS:
        try:
            line, mark = check(repo), "ok  "
        except Failed as problem:
            line, mark, failed = str(problem), "FAIL", failed + 1
        except Unparsable as problem:  # files-parse has reported it: one root cause, one FAIL
            where = str(problem).replace(f"{repo}{os.sep}", "")
            line, mark, skipped = f"not checked: {where}", "skip", skipped + 1
        except Exception as error:  # a check that cannot run is a failed check, with its reason
            line, mark, failed = (
                f"could not run: {type(error).__name__}: {error}",
                "FAIL",
                failed + 1,
            )
        print(on_terminal(f"  {mark}  {name:<17} {line}", indent=26), flush=True)
    print(f"validate: {len(CHECKS) - failed - skipped} passed, {failed} failed", end="")
    print(f", {skipped} not checked" if skipped else "")
    if failed or skipped:
        # `make validate` cannot run while the Makefile itself has conflict markers.
        rerun = "`make validate` (or: `uv run python scripts/validate_repo.py`)"
        print(on_terminal(f"  fix the above, then re-run: {rerun}", indent=4))
    return failed + skipped


def main(argv: list[str]) -> None:
    repo = Path(argv[0] if argv else ".").resolve()
    print(on_terminal(f"validate: {len(CHECKS)} checks of {repo}", indent=4))
    sys.exit(1 if validate(repo) else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
