"""Offer to store the PyPI token in Doppler right after generation, on a terminal only.

The value is asked with a hidden prompt (questionary's password input) and handed to the
generated repo's own `scripts/pypi-token.sh set` on its standard input: the same validation
and the same `doppler secrets set --silent` that `make token-set` uses, and the token never
reaches argv, the screen or a log.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from say import say


def offer_token_storage(repo: Path, secret: str) -> None:
    import questionary  # Copier's own dependency; imported here, only for a terminal

    # Enter confirms: a habitual "y" then Enter must not submit an empty token and leave the paste
    # to the shell's history.
    store = questionary.confirm(
        f"Store the PyPI token ({secret}) in Doppler now?", default=False, auto_enter=False
    ).ask()
    if not store:
        say("token", "not stored now; later: `make token-set` in the new repo")
        return
    token = questionary.password("PyPI token (input hidden):").ask()
    if not token:
        # questionary answers None to Ctrl-C, "" to a bare Enter.
        said = "cancelled" if token is None else "nothing entered"
        say("token", f"{said}; later: `make token-set` in the new repo")
        return
    result = subprocess.run(
        ["scripts/pypi-token.sh", "set"], cwd=repo, input=token, capture_output=True, text=True, check=False
    )
    outcome = (result.stdout + result.stderr).strip().splitlines()
    # On a failure, its second line says what to run next.
    shown = outcome[:2] if result.returncode != 0 else outcome[:1]
    say("token", "; ".join(line.strip() for line in shown) or "done")


def interactive(defaults: bool) -> bool:
    """A person at a terminal, and not `copier copy --defaults`."""
    return not defaults and sys.stdin.isatty() and sys.stdout.isatty()
