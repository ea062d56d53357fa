"""Site data: contacts (S8), supplies (S9) and the holiday calendar."""
