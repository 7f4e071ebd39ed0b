"""The dashboard and the alert rules in deploy/ name only metrics the services expose, and show or watch
every one of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from docket_messaging import metrics as messaging_metrics
from docket_service import metrics as service_metrics
from services.case import metrics as case_metrics
from services.notifier import metrics as notifier_metrics

# Where the metrics are declared: the messaging's, the chassis's, and each service's own.
METRICS = (messaging_metrics, service_metrics, case_metrics, notifier_metrics)
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum")}


def exposed() -> dict[str, str]:
    """Each sample name the services expose, and the metric it belongs to."""
    names = {}
    for metric in (metric for module in METRICS for metric in vars(module).values()):
        if hasattr(metric, "describe") and hasattr(metric, "_name"):
            for family in metric.describe():
                for suffix in SUFFIXES[family.type]:
                    names[family.name + suffix] = family.name
    return names


def named_in(expression: str) -> set[str]:
    return set(re.findall(r"\bdocket_[a-z0-9_]+", expression))


def test_every_alert_watches_metrics_that_exist_and_says_what_to_do():
    rules = [
        rule
        for group in yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())["groups"]
        for rule in group["rules"]
    ]
    known = exposed()
    for rule in rules:
        assert named_in(rule["expr"]) and named_in(rule["expr"]) <= set(known), rule["alert"]
        assert rule["labels"]["severity"] in ("page", "ticket") and rule["annotations"]["summary"]
    watched = {known[name] for rule in rules for name in named_in(rule["expr"])}
    # a growing backlog, a stuck consumer and dead letters, at least
    assert {
        "docket_outbox_oldest_unpublished_age_seconds",
        "docket_consumer_lag_messages",
        "docket_messages_processed",
        "docket_messages_dead_lettered",
    } <= watched


def test_the_dashboard_draws_every_metric_and_nothing_else():
    dashboard = json.loads((DEPLOY / "grafana" / "docket.json").read_text())
    known = exposed()
    drawn = {name for panel in dashboard["panels"] for target in panel["targets"] for name in named_in(target["expr"])}
    assert drawn <= set(known)
    assert {known[name] for name in drawn} == set(known.values())
