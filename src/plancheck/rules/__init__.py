"""Rules: one module per family, an explicit registry (`plancheck.rules.registry`)."""
