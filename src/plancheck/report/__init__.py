"""Report: every output format, from the findings, comparisons and summaries the check produces."""
