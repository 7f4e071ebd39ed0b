"""Topic names: one per producing aggregate, one dead-letter topic per consumer group, and the checkpoints of
the case record; and how the topics that witness that record must be kept."""

COMPLAINTS = "docket.complaints"
CASES = "docket.cases"
NOTIFICATIONS = "docket.notifications"
# Signed checkpoints of the case streams' heads (checkpoint.signed), apart from the case events so that their
# consumers never meet one, and so that the witness can be kept, and read, on its own.
CHECKPOINTS = "docket.checkpoints"

ALL = (COMPLAINTS, CASES, NOTIFICATIONS, CHECKPOINTS)

# The case events and the checkpoints are the case record's witness outside the database: they keep every
# message (no time or size limit) and are never compacted, which would keep only each key's last message.
KEPT_FOREVER = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"}
# The configuration a topic is created with where it is not the broker's default.
CONFIGS: dict[str, dict[str, str]] = {CASES: KEPT_FOREVER, CHECKPOINTS: KEPT_FOREVER}


def dead_letter_topic(consumer_group: str) -> str:
    """The topic where `consumer_group` parks messages it cannot process."""
    return f"docket.dlq.{consumer_group}"
