"""Environments for the processes tests start: a maintainer's shell, and a Doppler CLI home."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from tests.rendering import CI_VARIABLES

# Quiet, offline-friendly Doppler CLI settings (see shared/docs/doppler-cli.md).
DOPPLER_USER_CONFIG = "flags:\n  analytics: false\n  env-warning: false\n  update-check: false\n"


# A proxy that leads nowhere: a test meant to stop before any upload cannot reach PyPI if it goes on.
OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}


def clean_env(**changes: str | None) -> dict[str, str]:
    """This environment minus CI markers (the scripts refuse CI), with changes; None removes a key."""
    env = {k: v for k, v in os.environ.items() if k not in CI_VARIABLES}
    return changed(env, changes)


def changed(env: Mapping[str, str], changes: Mapping[str, str | None]) -> dict[str, str]:
    result = dict(env)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def doppler_home(home: Path) -> Path:
    """A HOME whose Doppler user file holds only quiet flags: no token, no scoped config."""
    (home / ".doppler").mkdir(parents=True)
    (home / ".doppler/.doppler.yaml").write_text(DOPPLER_USER_CONFIG)
    return home
