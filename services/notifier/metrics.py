"""The notifier's own metrics: webhook deliveries and e-mails, by outcome (deploy/grafana/docket.json draws
them, deploy/prometheus/alerts.yml alerts on them)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

WEBHOOKS = Histogram(
    "docket_webhook_delivery_duration_seconds",
    "webhook delivery attempts, by outcome",
    ["outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
EMAILS = Counter("docket_emails_total", "e-mails, by outcome (sent, failed: to be tried again, given_up)", ["outcome"])
