"""Test helpers (importable as ``helpers`` with ``tests/`` on sys.path)."""
