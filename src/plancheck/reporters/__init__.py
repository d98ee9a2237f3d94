"""Reporters turn a list of findings into text, JSON, GitHub annotations or SARIF."""
