"""The built-in dashboard: totals, series and breakdowns of the stored runs over a time range."""
