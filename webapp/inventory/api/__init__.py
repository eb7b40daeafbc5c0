"""The inventory's REST resources under /api/v1/."""
