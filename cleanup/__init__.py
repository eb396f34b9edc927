"""attio-cleanup."""
