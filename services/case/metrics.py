"""The case service's own metrics: timers fired, and the complainants of open cases told nothing for three
months, measured at each scrape (deploy/grafana/docket.json draws them, deploy/prometheus/alerts.yml alerts on
them)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

TIMERS_FIRED = Counter("docket_timers_fired_total", "formal-notice deadlines found passed by the timer")
ART78_OVERDUE = Gauge(
    "docket_art78_overdue_complainants", "complainants of open cases told nothing for three months (GDPR Art 78(2))"
)
