"""Notifier: turns events into notifications for complainants, controllers and integrators."""
