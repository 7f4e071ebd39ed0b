"""The notifier's use cases, a module per concern: webhook subscriptions (subscriptions.py), webhook deliveries
and their worker (deliveries.py), letters written and e-mailed (letters.py), and the Art 78(2) reminders to staff
(reminders.py)."""
