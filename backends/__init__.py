"""flowc package."""
