"""Topic names: one per producing aggregate, one dead-letter topic per consumer group."""

COMPLAINTS = "docket.complaints"
CASES = "docket.cases"
NOTIFICATIONS = "docket.notifications"

ALL = (COMPLAINTS, CASES, NOTIFICATIONS)


def dead_letter_topic(consumer_group: str) -> str:
    """The topic where `consumer_group` parks messages it cannot process."""
    return f"docket.dlq.{consumer_group}"
