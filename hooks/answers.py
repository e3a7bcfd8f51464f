"""Read the answers Copier recorded in .copier-answers.yml, tolerating a broken file."""

from __future__ import annotations


def parse_answers(text: str) -> dict:
    """The answers as a mapping; empty when the text is not a YAML mapping (the validator reports it)."""
    import yaml  # Copier's own dependency

    try:
        answers = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return answers if isinstance(answers, dict) else {}
