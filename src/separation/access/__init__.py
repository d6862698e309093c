"""Access-log auditor."""
