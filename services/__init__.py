"""Docket's three services: intake, case and notifier."""
