"""The hash an append computes from its event's payload encoded once (the JSON it stores) is the hash a check
recomputes from the stored row, whatever the payload and the other fields hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from services.case.integrity import GENESIS, canonical_json, event_hash, hash_with_data

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)
names = st.none() | st.text(max_size=40)


@settings(max_examples=300)
@given(
    data=st.dictionaries(st.text(), json_values, max_size=8),
    actor=st.text(min_size=1, max_size=40),
    actor_role=names,
    actor_name=names,
    version=st.integers(1, 10**9),
    offset=st.integers(-14 * 60, 14 * 60),
    previous=st.just(GENESIS) | st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)
def test_the_hash_of_the_payload_encoded_once_is_the_hash_of_the_stored_event(
    data, actor, actor_role, actor_name, version, offset, previous
):
    event = SimpleNamespace(
        stream_id=uuid4(),
        version=version,
        event_id=uuid4().hex,
        type="docket.finding.recorded",
        schema_version=1,
        data=data,
        actor=actor,
        actor_role=actor_role,
        actor_name=actor_name,
        occurred_at=datetime(2020, 5, 25, 9, tzinfo=UTC).astimezone(timezone(timedelta(minutes=offset))),
        previous_hash=previous,
    )
    assert hash_with_data(event, canonical_json(data)) == event_hash(event)
