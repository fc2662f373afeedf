"""Tests of the terminal explorer (pilot flows and SVG snapshots)."""
