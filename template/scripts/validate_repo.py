"""Check that this repository is the consistent whole the copier-pypi-release template renders.

One validator, three uses: Copier runs it after every `copier copy` and `copier update`,
`make validate` runs it here, and so does CI. Prints one line per check (wrapped to the width of
a terminal) and a count, and exits non-zero when anything fails. Needs PyYAML, and on Python
3.10 tomlkit (the dev dependencies; Copier's own environment has PyYAML, and gets tomlkit with
`uv tool install copier --with tomlkit`).

Usage: python scripts/validate_repo.py [REPO]   (default: the current directory)
"""

from __future__ import annotations

import fnmatch
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
RELEASE_WORKFLOW = ".github/workflows/release.yml"
# Rendered once, then the maintainer's (Copier's _skip_if_exists): their text is theirs.
OWNED = ("CHANGELOG.md", "src/{module}/__init__.py", "tests/test_{module}.py")
# A phrase each licence text has, whatever copyright line or layout the maintainer gives it.
LICENSE_PHRASES = {
    "MIT": "Permission is hereby granted, free of charge",
    "Apache-2.0": "Apache License",
    "BSD-3-Clause": "Redistribution and use in source and binary forms",
    "Proprietary": "This software is proprietary",
}
# Names the template's Jinja uses: its questions, Copier's own and its include files. Jinja-like
# text about anything else (GitHub's ${{ }}, a Go template, a Jinja example in the docs) is not
# the template's, so it is not a sign of an unrendered file.
TEMPLATE_NAMES = (
    "project_name|package_name|module_name|description|author_name|author_email|github_owner|"
    "github_repo|python_min|license|copyright_year|publish_via|doppler_project|doppler_config|"
    "pypi_token_secret|release_branch|_copier_\\w+|versions|rules|strings"
)
# An expression or statement that starts with one of them (after `if`, `not`, `set x =`, ...),
# or an import of the template's includes.
JINJA = re.compile(
    r"\{(?<!\$\{)[{%]-?\s*(?:(?:if|elif|for\s+\w+\s+in|set\s+\w+\s*=|not)\s+)*"
    rf"(?:(?:{TEMPLATE_NAMES})\b|(?:import|from)\s+['\"]includes/)"
)
CONFLICT_MARKER = re.compile(r"^(<{7}|>{7})(?: |$)", re.MULTILINE)
# A fenced block in Markdown: conflict markers shown there are an example, not a conflict.
FENCED_BLOCK = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
# Where one shell command ends and the next begins (`then`, `do` and `else` start commands too).
COMMAND_SEPARATOR = re.compile(r"\\\n|&&|\|\||[;&|\n()]|\b(?:then|do|else)\b")
COMMAND_PREFIXES = ("if", "elif", "while", "until", "env", "time", "command", "exec", "!", "{")
MAKE_COMMANDS = ("make", "gmake", "$(MAKE)", "${MAKE}", "${MAKE:-make}")
# Options of make that take a value as the next word, and those naming another Makefile.
MAKE_OPTION_VALUES = ("-C", "-f", "-I", "-j", "-l", "-o", "-W", "--directory", "--file")
ANOTHER_MAKEFILE = ("-C", "-f", "--directory", "--file")
REDIRECTIONS = (">", ">>", "<", "2>", "&>")
GITHUB_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
SCRIPT_CALL = re.compile(r"(?:^|[\s;&|])(?:\./)?(scripts/[\w./-]*\w)")
# `__version__ = version("name")` and the smoke test's `__version__ == version("name")`.
VERSION_LOOKUP = re.compile(
    r"__version__\s*==?\s*(?:[\w.]+\.)?version\(\s*[\"']([^\"']+)[\"']\s*\)"
)


class Failed(Exception):
    """A check found a problem; the message is its one-line reason."""


class Unparsable(Exception):
    """A file a check needs does not parse: files-parse reports it, the others skip."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path} does not parse: {reason}")
        self.reason = reason


def git_ls_files(repo: Path, *options: str) -> list[str] | None:
    """`git ls-files OPTIONS` in repo, one entry each; None without git or a repository."""
    if not (repo / ".git").exists() or not shutil.which("git"):
        return None
    listed = subprocess.run(
        ["git", "ls-files", "-z", *options], cwd=repo, capture_output=True, check=False
    )
    if listed.returncode != 0:
        return None
    return [os.fsdecode(entry) for entry in listed.stdout.split(b"\0") if entry]


def files(repo: Path) -> Iterator[Path]:
    """Every file of the repository that its .gitignore files do not ignore (without git: all but
    environments, caches and build output): ignored files are not the repo's."""
    # The repo's own .gitignore files only: a global ignore of *.rej must not hide one.
    listed = git_ls_files(repo, "--cached", "--others", "--exclude-per-directory=.gitignore")
    if listed is not None:
        yield from (repo / name for name in listed)
        return
    for root, dirs, names in os.walk(repo):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith("_cache")]
        for name in names:
            yield Path(root, name)


def unmerged(repo: Path) -> set[str]:
    """The paths git holds as unresolved conflicts: `copier update` marks each of its own so,
    wherever its markers fall (inside a fenced example too), until `git add`."""
    # Each entry is "mode object stage<TAB>path", once per stage.
    return {
        entry.split("\t", 1)[1] for entry in git_ls_files(repo, "--unmerged") or [] if "\t" in entry
    }


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
    except OSError:
        raise
    except UnicodeDecodeError as error:
        raise Unparsable(path, f"not UTF-8 text (byte {error.start})") from error
    except Exception as error:  # every parser has its own error type
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise Unparsable(path, first_line) from error


def answers(repo: Path) -> dict:
    path = repo / ".copier-answers.yml"
    recorded = parsed(path) or {}
    if not isinstance(
        recorded, dict
    ):  # the checks that need the answers wait, as for a parse error
        raise Unparsable(path, "not a mapping of answers")
    return recorded


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


def release_plugins(config: dict) -> list[tuple[str, dict]]:
    """(name, options) of each plugin entry: "name", ["name", {...}] or {"path": "name", ...}."""
    plugins = []
    for entry in config.get("plugins", []):
        if isinstance(entry, list) and entry:
            name, options = entry[0], entry[1] if len(entry) > 1 else {}
        elif isinstance(entry, dict):
            name, options = entry.get("path"), entry
        else:
            name, options = entry, {}
        plugins.append((str(name), options if isinstance(options, dict) else {}))
    return plugins


def asset_patterns(assets: Any) -> list[str]:
    """The git plugin's assets as globs: a string, a list of strings, lists or {"path": ...}."""
    found = []
    for asset in assets if isinstance(assets, list) else [assets]:
        if isinstance(asset, dict):
            asset = asset.get("path", [])
        found += [str(a) for a in asset] if isinstance(asset, list) else [str(asset)]
    return found


def release_branches(branches: Any) -> list[str]:
    """The names of semantic-release's release branches (not its prerelease ones)."""
    entries = branches if isinstance(branches, list) else [branches]
    return [
        str(entry.get("name") if isinstance(entry, dict) else entry)
        for entry in entries
        if not (isinstance(entry, dict) and entry.get("prerelease"))
    ]


def check_release_config(repo: Path) -> str:
    config = parsed(repo / ".releaserc.json")
    # semantic-release reads these before .releaserc.json, which would then go unread.
    shadows = [".releaserc"] if (repo / ".releaserc").exists() else []
    package = parsed(repo / "package.json")
    if isinstance(package, dict) and "release" in package:
        shadows.append('package.json\'s "release" key')
    if shadows:
        raise Failed(
            f"semantic-release reads {' and '.join(shadows)} instead of .releaserc.json: keep"
            " one configuration, .releaserc.json (the release workflow and these checks use it)"
        )
    inherited = config.get("extends")
    if inherited and "plugins" not in config:
        # A shareable configuration (an npm package) sets the plugins: nothing here to judge.
        return f"plugins come from {inherited} (extends), not checked here"
    plugins = release_plugins(config)
    names = [name for name, _ in plugins]
    for required in ("@semantic-release/exec", "@semantic-release/git"):
        if required not in names:
            raise Failed(f".releaserc.json has no {required}")
    versioned = [
        i
        for i, (name, options) in enumerate(plugins)
        if name == "@semantic-release/exec"
        and "scripts/set-version.sh" in str(options.get("prepareCmd", ""))
    ]
    if not versioned:
        raise Failed(".releaserc.json's version step does not run scripts/set-version.sh")
    git_at = names.index("@semantic-release/git")
    if versioned[0] > git_at:
        raise Failed(".releaserc.json runs @semantic-release/git before the version step (exec)")
    listing = subprocess.run(
        ["bash", "scripts/set-version.sh", "--files"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        said = (listing.stderr.strip().splitlines() or ["no output"])[-1]
        raise Failed(f"scripts/set-version.sh --files failed ({said}): restore the script")
    writes = listing.stdout.split()
    if "@semantic-release/changelog" in names:
        changelog_at = names.index("@semantic-release/changelog")
        if changelog_at > git_at:
            raise Failed(
                ".releaserc.json runs @semantic-release/git before @semantic-release/changelog:"
                " the release commit would miss the new CHANGELOG section"
            )
        writes.append(plugins[changelog_at][1].get("changelogFile", "CHANGELOG.md"))
    patterns = asset_patterns(plugins[git_at][1].get("assets", []))
    missing = sorted(f for f in set(writes) if not any(fnmatch.fnmatch(f, p) for p in patterns))
    if missing:
        left_out = ", ".join(missing)
        raise Failed(
            f"the release commit would leave out {left_out}: add them to the git plugin's assets"
        )
    branch = str(answers(repo).get("release_branch"))
    listed = release_branches(config.get("branches", ["main", "master"]))
    if branch not in listed and not (inherited and "branches" not in config):
        raise Failed(
            f".releaserc.json releases from {', '.join(map(str, listed)) or 'no branch'}, but the"
            f" release workflow runs on {branch}: put {branch} in its branches"
        )
    return f"version step before the git plugin, whose assets cover {', '.join(writes)}"


def check_project_metadata(repo: Path) -> str:
    project, wanted = pyproject(repo).get("project", {}), answers(repo)
    problems = []
    readme = project.get("readme")
    readme = readme.get("file") if isinstance(readme, dict) else readme
    if isinstance(readme, str) and not (repo / readme).is_file():
        problems.append(
            f"readme {readme} is missing: the build needs it (restore it or change readme)"
        )
    if normalise(str(project.get("name"))) != normalise(str(wanted.get("package_name"))):
        problems.append(
            f"name is {project.get('name')!r}, answers say {wanted.get('package_name')!r}"
        )
    if not re.fullmatch(r"\d+\.\d+\.\d+", str(project.get("version", ""))):
        problems.append(f"version {project.get('version')!r} is not X.Y.Z")
    floors = re.findall(r">=\s*(\d+\.\d+)(?![.\d])", str(project.get("requires-python", "")))
    if floors != [
        str(wanted.get("python_min"))
    ]:  # upper bounds and exclusions are the maintainer's
        found, floor = project.get("requires-python"), wanted.get("python_min")
        problems.append(
            f"requires-python is {found!r}, answers say >={floor} (another floor: copier update"
            " --trust -d python_min=...)"
        )
    license_id = str(wanted.get("license"))
    expression = "LicenseRef-Proprietary" if license_id == "Proprietary" else license_id
    declared, patterns = project.get("license", ""), project.get("license-files", ["LICENSE"])
    named_file_missing = False
    if isinstance(declared, dict):  # PEP 621's older table: {text = "MIT"} or {file = "COPYING"}
        if "license-files" in project:
            problems.append(
                "license-files needs license as an SPDX expression string: builds refuse a table"
            )
        if "file" in declared:
            declared, patterns = expression, [str(declared["file"])]
            named_file_missing = not (repo / patterns[0]).is_file()
            if named_file_missing:
                problems.append(f"license file {patterns[0]} is missing: the build needs it")
        else:
            declared = declared.get("text", "")
    # A compound expression (MIT OR Apache-2.0) that names the answer's licence is the maintainer's.
    terms = re.split(r"\s+(?:OR|AND|WITH)\s+|[()\s]+", str(declared))
    if declared != expression and expression not in terms:
        problems.append(f"license is {project.get('license')!r}, answers say {expression!r}")
    license_files = sorted(
        {p for pattern in patterns for p in repo.glob(str(pattern)) if p.is_file()}
    )
    licence_text = " ".join(" ".join((text(p) or "").split()) for p in license_files)
    # A Proprietary licence is whatever text its owner gives it; the others have their own words.
    phrase = LICENSE_PHRASES.get(license_id, "") if license_id != "Proprietary" else ""
    if not named_file_missing and (not licence_text.strip() or phrase not in licence_text):
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
    build_backend = str(pyproject(repo).get("build-system", {}).get("build-backend", ""))
    if build_backend != "uv_build":  # another backend's settings are its own (decision 0002)
        return f"build backend {build_backend or 'none'}: its wheel is checked by make build"
    backend = pyproject(repo).get("tool", {}).get("uv", {}).get("build-backend", {})
    # uv_build's default module is the distribution name with "-" and "." as "_".
    default = re.sub(r"[-.]+", "_", str(pyproject(repo).get("project", {}).get("name", ""))).lower()
    built = backend.get("module-name", default)
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
        # build output and tools' hidden folders (.ipynb_checkpoints) are not code of the repo
        and not any(
            part in SKIPPED_DIRS or part.startswith(".")
            for part in path.relative_to(repo).parent.parts
        )
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
    version = pyproject(repo).get("project", {}).get("version")
    if version is None:  # project-metadata says why
        raise Failed("pyproject.toml has no [project] version: the release step writes one there")
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
    config = parsed(repo / "doppler.yaml") or {}
    if not isinstance(config, dict):
        raise Failed("doppler.yaml must be a mapping with a setup: entry (project: and config:)")
    setup = config.get("setup")
    entry = (setup[0] if isinstance(setup, list) and setup else setup) or {}
    entry = entry if isinstance(entry, dict) else {}
    found = (entry.get("project"), entry.get("config"))
    expected = (wanted.get("doppler_project"), wanted.get("doppler_config"))
    if found != expected:
        raise Failed(
            f"doppler.yaml names {found[0]}/{found[1]}, answers say {expected[0]}/{expected[1]}"
        )
    # The scripts read it line by line (no YAML parser in bash): the first project: and config:.
    lines = text(repo / "doppler.yaml") or ""
    read = tuple(
        next(iter(re.findall(rf"^[\s-]*{key}:\s*[\"']?([A-Za-z0-9_.-]+)", lines, re.M)), None)
        for key in ("project", "config")
    )
    if read != found:
        raise Failed(
            f"the scripts would read doppler.yaml as {read[0]}/{read[1]}, not"
            f" {found[0]}/{found[1]}: keep its first project: and config: lines plain, one per line"
        )
    return f"{found[0]}/{found[1]}, no .doppler.yaml"


def check_scripts(repo: Path) -> str:
    mode = str(answers(repo).get("publish_via"))
    expected = [*RENDERED, *RENDERED_IN_MODE.get(mode, ())]
    missing = [
        name
        for name in expected
        if name.startswith("scripts/")
        and name.endswith((".sh", ".mjs", ".py"))
        and not (repo / name).is_file()
    ]
    if missing:
        raise Failed(
            f"missing: {', '.join(missing)} (make targets, the workflows or the release run them;"
            f" restore: git checkout HEAD -- {missing[0]}, or copier update)"
        )
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


def makefile_targets(repo: Path, makefile: str = "Makefile", seen: set | None = None) -> set[str]:
    """The targets make knows: rules of the Makefile and of the files it includes; a pattern rule
    (check-%) as a regular expression; a target named by a variable, with the variable's words."""
    seen = set() if seen is None else seen
    path = (repo / makefile).resolve()
    if path in seen or not path.is_file():
        return set()
    seen.add(path)
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    variables = {}
    for line in lines:
        assignment = re.match(r"([A-Za-z_][\w]*)\s*[:?]?=\s*(.*)", line)
        if assignment:
            variables[assignment[1]] = assignment[2]
    targets = set()
    for line in lines:
        included = re.match(r"-?s?include\s+(.+)", line)
        if included:
            for name in included[1].split():
                for found in sorted(repo.glob(name)) if "*" in name else [repo / name]:
                    targets |= makefile_targets(repo, os.path.relpath(found, repo), seen)
            continue
        head, sep, rest = line.partition(":")
        if not sep or line.startswith(("\t", " ", "#")) or rest.startswith("="):
            continue
        for name in head.split():
            variable = re.fullmatch(r"\$[({](\w+)[)}]", name)
            for word in variables.get(variable[1], "").split() if variable else [name]:
                if "%" in word:
                    targets.add("re:" + re.escape(word).replace("%", ".+"))
                elif re.fullmatch(r"[\w.-]+", word):
                    targets.add(word)
    return targets


def make_targets_called(script: str) -> set[str]:
    """The targets a shell script's make commands name (not their options, variables or
    redirections); none from a make pointed at another directory or Makefile."""
    called = set()
    for command in COMMAND_SEPARATOR.split(GITHUB_EXPRESSION.sub("$GH", script)):
        words = command.split()
        while words and (words[0] in COMMAND_PREFIXES or "=" in words[0]):
            words.pop(0)  # env, time, VAR=value, ... before make
        if not words or words[0] not in MAKE_COMMANDS:
            continue
        names, rest = [], iter(words[1:])
        for word in rest:
            if word.startswith(ANOTHER_MAKEFILE):
                names = []  # another directory's or file's targets are not this Makefile's
                break
            if word in MAKE_OPTION_VALUES or word in REDIRECTIONS:
                next(rest, None)  # its value
            elif re.fullmatch(r"[\w.-]+", word) and not word.startswith("-"):
                names.append(word)  # not an option, assignment, redirection or expansion
        called.update(names)
    return called


def known(target: str, targets: set[str]) -> bool:
    return target in targets or any(
        t.startswith("re:") and re.fullmatch(t[3:], target) for t in targets
    )


def check_workflows(repo: Path) -> str:
    if not (repo / RELEASE_WORKFLOW).is_file():
        raise Failed(
            f"{RELEASE_WORKFLOW} is missing: every release runs there; restore it from git"
            f" (git log --oneline -- {RELEASE_WORKFLOW} shows the commit that removed it)"
        )
    targets, called, scripts, local = makefile_targets(repo), set(), set(), set()
    workflows = [path for path in rendered(repo) if path.parent.name == "workflows"]
    for workflow in workflows:
        for job in (parsed(workflow).get("jobs") or {}).values():
            if not isinstance(job, dict):
                continue
            # A reusable workflow or local action of this repository must exist.
            steps = [step for step in job.get("steps") or [] if isinstance(step, dict)]
            for uses in [job.get("uses"), *(step.get("uses") for step in steps)]:
                if isinstance(uses, str) and uses.startswith("./"):
                    local.add(uses[2:].split("@")[0])
            for step in steps:
                run = str(step.get("run", ""))
                called |= make_targets_called(run)
                scripts |= set(SCRIPT_CALL.findall(run))
    missing = sorted(t for t in called if not known(t, targets))
    missing += sorted(path for path in scripts | local if not (repo / path).exists())
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
        found = JINJA.search(content)
        if found or path.suffix == ".jinja":
            where = f" (line {content.count(chr(10), 0, found.start()) + 1})" if found else ""
            raise Failed(f"unrendered Jinja in {path.relative_to(repo)}{where}")
    return f"no unrendered Jinja in {scanned} files"


def check_no_conflicts(repo: Path) -> str:
    # Copier leaves a .rej beside a rendered file it could not merge, and nowhere else.
    rejects = [
        f"{path.relative_to(repo)}.rej" for path in rendered(repo) if Path(f"{path}.rej").exists()
    ]
    if rejects:
        listed = ", ".join(sorted(rejects))
        raise Failed(
            f"copier update could not apply your own changes to the new template version: they"
            f" are in {listed}, the files now hold the template's version (merge the .rej by"
            " hand, then delete it)"
        )
    marked = {
        str(p.relative_to(repo))
        for p in rendered(repo)
        if CONFLICT_MARKER.search(
            FENCED_BLOCK.sub("", text(p) or "") if p.suffix == ".md" else text(p) or ""
        )
    }
    held = unmerged(repo) - marked
    found = [f"conflict markers in {', '.join(sorted(marked))}"] if marked else []
    found += [f"conflicts git holds unresolved in {', '.join(sorted(held))}"] if held else []
    if found:
        raise Failed(f"{'; '.join(found)} (resolve them and `git add` each before committing)")
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
        except FileNotFoundError as missing:
            where = os.path.relpath(missing.filename, repo) if missing.filename else "a file"
            line, mark, failed = (
                f"{where} is missing: restore it (git checkout HEAD -- {where}, or copier update)",
                "FAIL",
                failed + 1,
            )
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
    # A file name that is not UTF-8, or a terminal that is not, must not crash the checklist.
    sys.stdout.reconfigure(errors="backslashreplace")
    repo = Path(argv[0] if argv else ".").resolve()
    print(on_terminal(f"validate: {len(CHECKS)} checks of {repo}", indent=4))
    sys.exit(1 if validate(repo) else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
