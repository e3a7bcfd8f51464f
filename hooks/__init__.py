"""Post-generation hooks of copier-pypi-release (Doppler setup, token storage, validation)."""
