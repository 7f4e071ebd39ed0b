"""Intake: takes submissions over REST and emits complaint.* events."""
