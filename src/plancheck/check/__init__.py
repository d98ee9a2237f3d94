"""Check: comparing plans with their parents, the rules engine, coverage and progress judgements."""
