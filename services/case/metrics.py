"""The case service's own metrics: timers fired, the complainants of open cases told nothing for three
months, measured at each scrape (deploy/grafana/docket.json draws them, deploy/prometheus/alerts.yml alerts on
them), and the cooperation messages received, refused, sent and not yet delivered."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

TIMERS_FIRED = Counter("docket_timers_fired_total", "formal-notice deadlines found passed by the timer")
ART78_OVERDUE = Gauge(
    "docket_art78_overdue_complainants", "complainants of open cases told nothing for three months (GDPR Art 78(2))"
)

# The cooperation exchange with other authorities (services/case/exchange).
COOPERATION_RECEIVED = Counter("docket_cooperation_received_total", "cooperation messages accepted from authorities")
COOPERATION_REFUSED = Counter(
    "docket_cooperation_refused_total",
    "cooperation messages refused, by reason (unknown_authority, bad_signature, already_received, ...)",
    ["reason"],
)
COOPERATION_SENT = Counter("docket_cooperation_sent_total", "cooperation messages delivered to other authorities")
COOPERATION_SEND_FAILURES = Counter(
    "docket_cooperation_send_failures_total",
    "attempts to deliver a cooperation message that failed, by what followed: retried, or given_up",
    ["outcome"],
)
COOPERATION_PENDING = Gauge(
    "docket_cooperation_outbox_pending", "cooperation messages waiting to be delivered (a peer down keeps them)"
)
