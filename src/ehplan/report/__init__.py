"""Reports from a run's log: the end-of-run summary (and later the full report)."""
