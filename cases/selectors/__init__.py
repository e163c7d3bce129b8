"""Every read used by pages and dashboards, split by page and re-exported here."""
