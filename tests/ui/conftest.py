"""Pytest fixtures of the UI tests (helpers live in ``helpers.py`` so tests can import them)."""

from __future__ import annotations
