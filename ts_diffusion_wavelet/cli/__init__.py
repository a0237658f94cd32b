"""Command-line entry points (`train.py`, `generate.py` and the `tsdw-*` console scripts)."""
