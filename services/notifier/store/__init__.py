"""The notifier's store: its tables (tables.py), and what reads and writes them, by concern: what it knows of
complaints, cases and controllers (cases.py), letters (letters.py), webhook subscriptions and deliveries
(deliveries.py), and `Records`, what taking in an event reads and writes, with its PostgreSQL side
(records.py). Everything an event calls for is written in the transaction that records the event in the inbox.

The rest of the service reads `store.<name>`, whichever of these modules the name is in.
"""

from .cases import (
    add_complainant,
    case_of_complaint,
    controller_of,
    keep_early_link,
    link_complaint,
    open_case,
    set_controller_contact,
    stop_waiting,
    take_early_link,
    told,
    waiting_complainants,
)
from .deliveries import attempts_of, deliveries, enqueue_deliveries, subscriptions
from .letters import announce_sent, find, record_letters
from .records import PostgresRecords, Records
from .tables import (
    PERSONAL_LETTER_FIELDS,
    SECRET,
    SOURCE,
    TABLES,
    AddressCodeRow,
    CaseControllerRow,
    ComplainantRow,
    ControllerContactRow,
    DeliveryAttemptRow,
    DeliveryRow,
    EarlyLinkRow,
    NotificationRow,
    SubscriptionRow,
    as_sealed,
)

__all__ = [
    "PERSONAL_LETTER_FIELDS",
    "SECRET",
    "SOURCE",
    "TABLES",
    "AddressCodeRow",
    "CaseControllerRow",
    "ComplainantRow",
    "ControllerContactRow",
    "DeliveryAttemptRow",
    "DeliveryRow",
    "EarlyLinkRow",
    "NotificationRow",
    "PostgresRecords",
    "Records",
    "SubscriptionRow",
    "add_complainant",
    "announce_sent",
    "as_sealed",
    "attempts_of",
    "case_of_complaint",
    "controller_of",
    "deliveries",
    "enqueue_deliveries",
    "find",
    "keep_early_link",
    "link_complaint",
    "open_case",
    "record_letters",
    "set_controller_contact",
    "stop_waiting",
    "subscriptions",
    "take_early_link",
    "told",
    "waiting_complainants",
]
