"""The notifier's handler table: one handler per event type a subscriber may ask for."""

from __future__ import annotations

import base64

from docket_contracts import registry
from services.notifier.config import NotifierSettings
from services.notifier.handlers import EVENT_HANDLERS, case_event, handlers
from services.notifier.webhooks import SUBSCRIBABLE


def test_every_event_a_subscriber_may_ask_for_has_its_handler_and_no_other_has_one():
    assert sorted(registry.BY_PAYLOAD[payload].type for payload in EVENT_HANDLERS) == sorted(SUBSCRIBABLE)


def test_the_events_of_complaints_and_of_the_case_taking_them_in_have_their_own_handlers():
    own = {registry.BY_PAYLOAD[payload].type for payload, handler in EVENT_HANDLERS.items() if handler != case_event}
    assert own == {
        "docket.complaint.filed",
        "docket.complaint.withdrawn",
        "docket.complaint.personal_data_erased",
        "docket.case.opened",
        "docket.complaint.linked",
    }


def test_the_consumer_gets_the_table_by_event_type():
    settings = NotifierSettings(
        database_url="postgresql+asyncpg://u@h/d",
        oidc_issuer="https://login.invalid/realms/d",
        keystore_database_url="postgresql+asyncpg://k@h/d",
        keystore_master_key=base64.b64encode(bytes(32)).decode(),
    )
    assert sorted(handlers(settings, settings.personal_data())) == sorted(SUBSCRIBABLE)
