"""Cooperation messages signed and verified (docket_exchange): a good message verifies; each way a message can be
wrong is refused with its own reason; a rotated key still verifies while it is published; a peer's keys are
fetched again for a key not seen yet, at most once per interval."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from typing import Any

import jwt
import pytest

from docket_contracts.checkpoints import new_signing_key
from docket_contracts.envelope import CloudEvent
from docket_exchange.directory import Authority, Directory, DirectoryError
from docket_exchange.keys import KID_PREFIX, OwnKey, PeerKeys, jwks
from docket_exchange.messages import TOKEN_TYPE, Exchange, Refused
from docket_exchange.transport import Answer
from services.case.exchange.outbox import verdict

FR, IT, DE = "FR-CNIL", "IT-GPDP", "DE-BFDI"


def authority(authority_id: str) -> Authority:
    host = authority_id.lower()
    return Authority(
        id=authority_id,
        name=authority_id,
        member_state=authority_id[:2],
        inbox_url=f"https://{host}.example/cooperation/messages",
        jwks_url=f"https://{host}.example/.well-known/jwks.json",
    )


class Published:
    """The JWKS each authority publishes, by URL, and how often each was fetched."""

    def __init__(self) -> None:
        self.documents: dict[str, Mapping[str, Any]] = {}
        self.fetches: dict[str, int] = {}

    def publish(self, authority_id: str, document: Mapping[str, Any]) -> None:
        self.documents[authority(authority_id).jwks_url] = document

    async def get_json(self, url: str) -> Mapping[str, Any]:
        self.fetches[url] = self.fetches.get(url, 0) + 1
        if url not in self.documents:
            raise ConnectionError(f"{url} does not answer")
        return self.documents[url]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def exchange(own: str, key: OwnKey, published: Published, clock: Clock | None = None, **kwargs: Any) -> Exchange:
    directory = Directory([authority(FR), authority(IT)])
    peers = PeerKeys(published.get_json, refresh_interval_s=10, clock=clock or time.monotonic)
    return Exchange(own, key, directory, peers, clock=clock or time.time, **kwargs)


def an_event(**changes: Any) -> CloudEvent:
    values: dict[str, Any] = {
        "type": "docket.case.mutual_assistance_requested",
        "source": "/docket/FR-CNIL/case",
        "subject": "0b7c5bde-8e0a-4a0e-9b52-3d4f6a0c2a11",
        "dataschema": "",
        "data": {"cooperation_reference": "IMI-2026-0001", "request": "the controller's answers to our questions"},
    }
    return CloudEvent(**(values | changes))


@pytest.fixture
def keys() -> dict[str, OwnKey]:
    return {FR: OwnKey(new_signing_key()), IT: OwnKey(new_signing_key())}


@pytest.fixture
def published(keys: dict[str, OwnKey]) -> Published:
    found = Published()
    for authority_id, key in keys.items():
        found.publish(authority_id, jwks(key))
    return found


async def refusal(recipient: Exchange, token: str, **kwargs: Any) -> Refused:
    with pytest.raises(Refused) as refused:
        await recipient.verify(token, **kwargs)
    return refused.value


async def test_a_message_signed_by_a_peer_for_us_verifies(keys, published):
    event = an_event()
    token = exchange(FR, keys[FR], published).sign(event, IT)
    message = await exchange(IT, keys[IT], published).verify(token)
    assert message.sender.id == FR and message.key_id == keys[FR].key_id and message.token == token
    assert message.event.id == event.id and message.event.type == event.type and message.event.data == event.data
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "EdDSA", "kid": keys[FR].key_id, "typ": TOKEN_TYPE}
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["iss"], claims["aud"], claims["jti"]) == (FR, IT, event.id)
    assert 0 < claims["exp"] - claims["iat"] <= 60 and claims["event"]["id"] == event.id


async def test_a_tampered_body_is_refused_as_a_bad_signature(keys, published):
    token = exchange(FR, keys[FR], published).sign(an_event(), IT)
    header, _, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["event"]["data"]["request"] = "something else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    refused = await refusal(exchange(IT, keys[IT], published), f"{header}.{forged}.{signature}")
    assert (refused.reason, refused.status, refused.sender) == ("bad_signature", 401, FR)


async def test_a_message_signed_by_another_key_under_the_sender_s_kid_is_refused(keys, published):
    impostor = OwnKey(new_signing_key())
    impostor.key_id = keys[FR].key_id  # names FR's published key, signs with its own
    token = exchange(FR, impostor, published).sign(an_event(), IT)
    refused = await refusal(exchange(IT, keys[IT], published), token)
    assert refused.reason == "bad_signature"


async def test_a_key_the_sender_does_not_publish_is_refused(keys, published):
    token = exchange(FR, OwnKey(new_signing_key()), published).sign(an_event(), IT)
    refused = await refusal(exchange(IT, keys[IT], published), token)
    assert (refused.reason, refused.status) == ("unknown_key", 401)


async def test_a_sender_not_in_the_directory_is_refused_and_named(keys, published):
    token = exchange(DE, OwnKey(new_signing_key()), published).sign(an_event(), IT)
    refused = await refusal(exchange(IT, keys[IT], published), token)
    assert (refused.reason, refused.status, refused.sender) == ("unknown_authority", 401, DE)
    assert DE in refused.detail and published.fetches == {}  # no key is fetched for a stranger


async def test_a_message_for_another_authority_is_refused(keys, published):
    token = exchange(FR, keys[FR], published).sign(an_event(), FR)  # addressed to FR, posted to IT
    refused = await refusal(exchange(IT, keys[IT], published), token)
    assert (refused.reason, refused.status) == ("wrong_audience", 401)


async def test_an_expired_message_is_refused_and_one_from_the_future_too(keys, published):
    now = time.time()
    old = exchange(FR, keys[FR], published, Clock(now - 120)).sign(an_event(), IT)  # exp 60 s ago, leeway 30
    assert (await refusal(exchange(IT, keys[IT], published), old)).reason == "expired"
    slightly_old = exchange(FR, keys[FR], published, Clock(now - 80)).sign(an_event(), IT)  # within the leeway
    assert (await exchange(IT, keys[IT], published).verify(slightly_old)).sender.id == FR
    future = exchange(FR, keys[FR], published, Clock(now + 300)).sign(an_event(), IT)
    assert (await refusal(exchange(IT, keys[IT], published), future)).reason == "not_yet_valid"


async def test_a_message_received_before_is_refused_as_already_received(keys, published):
    received: set[tuple[str, str]] = set()

    async def already(sender: str, jti: str) -> bool:
        return (sender, jti) in received

    recipient, event = exchange(IT, keys[IT], published), an_event()
    token = exchange(FR, keys[FR], published).sign(event, IT)
    message = await recipient.verify(token, already)
    received.add((message.sender.id, message.event.id))
    again = exchange(FR, keys[FR], published).sign(event, IT)  # signed anew, as a retry is
    for copy in (token, again):
        refused = await refusal(recipient, copy, already_received=already)
        assert (refused.reason, refused.status, refused.jti) == ("already_received", 409, event.id)


async def test_a_rotated_key_verifies_while_it_is_published_and_no_longer_after(keys, published):
    old, new = keys[FR], OwnKey(new_signing_key())
    in_flight = exchange(FR, old, published).sign(an_event(), IT)
    clock = Clock(1000.0)
    recipient = exchange(IT, keys[IT], published)
    recipient.peer_keys = PeerKeys(published.get_json, refresh_interval_s=10, max_age_s=600, clock=clock)
    assert (await recipient.verify(in_flight)).key_id == old.key_id
    published.publish(FR, jwks(new, [old.public]))  # FR rotates: the new key signs, the old one stays listed
    clock.now += 11
    assert (await recipient.verify(exchange(FR, new, published).sign(an_event(), IT))).key_id == new.key_id
    assert (await recipient.verify(in_flight)).key_id == old.key_id
    published.publish(FR, jwks(new))  # the old key withdrawn: trusted until the keys are fetched again
    clock.now += 601
    assert (await refusal(recipient, in_flight)).reason == "unknown_key"


async def test_an_unknown_kid_fetches_the_keys_again_at_most_once_per_interval(keys, published):
    clock = Clock(1000.0)
    recipient = exchange(IT, keys[IT], published)
    recipient.peer_keys = PeerKeys(published.get_json, refresh_interval_s=10, clock=clock)
    url = authority(FR).jwks_url
    await recipient.verify(exchange(FR, keys[FR], published).sign(an_event(), IT))
    assert published.fetches[url] == 1
    for _ in range(5):  # made-up keys, in a flood
        token = exchange(FR, OwnKey(new_signing_key()), published).sign(an_event(), IT)
        assert (await refusal(recipient, token)).reason == "unknown_key"
    assert published.fetches[url] == 1  # within the interval of the first fetch
    clock.now += 10
    await refusal(recipient, exchange(FR, OwnKey(new_signing_key()), published).sign(an_event(), IT))
    assert published.fetches[url] == 2


async def test_a_peer_s_keys_are_kept_while_it_is_out_of_reach_but_not_for_ever(keys, published):
    clock = Clock(1000.0)
    recipient = exchange(IT, keys[IT], published)
    recipient.peer_keys = PeerKeys(
        published.get_json, refresh_interval_s=10, max_age_s=600, max_stale_s=3600, clock=clock
    )
    assert (await recipient.verify(exchange(FR, keys[FR], published).sign(an_event(), IT))).sender.id == FR
    del published.documents[authority(FR).jwks_url]  # FR's keys out of reach from now on
    clock.now += 601
    assert (await recipient.verify(exchange(FR, keys[FR], published).sign(an_event(), IT))).sender.id == FR
    fetches = published.fetches[authority(FR).jwks_url]
    for _ in range(3):  # tried again at most once per interval while the keys are old
        await recipient.verify(exchange(FR, keys[FR], published).sign(an_event(), IT))
    assert published.fetches[authority(FR).jwks_url] == fetches
    clock.now += 3000
    for _ in range(2):
        refused = await refusal(recipient, exchange(FR, keys[FR], published).sign(an_event(), IT))
        assert refused.reason == "keys_unavailable"
    published.publish(FR, jwks(keys[FR]))  # back within reach
    clock.now += 10
    assert (await recipient.verify(exchange(FR, keys[FR], published).sign(an_event(), IT))).sender.id == FR


async def test_a_peer_whose_keys_cannot_be_fetched_is_refused_as_not_checkable(keys):
    nobody = Published()
    token = exchange(FR, keys[FR], nobody).sign(an_event(), IT)
    refused = await refusal(exchange(IT, keys[IT], nobody), token)
    assert (refused.reason, refused.status) == ("keys_unavailable", 401)


@pytest.mark.parametrize(
    ("token", "field"),
    [("not a token", "token"), ("", "token"), ("a.b.c", "token")],
)
async def test_a_body_that_is_no_signed_jwt_is_malformed(keys, published, token, field):
    refused = await refusal(exchange(IT, keys[IT], published), token)
    assert (refused.reason, refused.status, refused.field) == ("malformed", 422, field)


async def test_a_jwt_of_another_type_or_without_its_claims_is_malformed_and_names_the_field(keys, published):
    recipient = exchange(IT, keys[IT], published)
    now = int(time.time())
    claims = {"iss": FR, "aud": IT, "jti": "x", "iat": now, "exp": now + 60, "event": an_event(id="x").structured()}

    def signed(values: dict[str, Any], typ: str = TOKEN_TYPE) -> str:
        headers = {"kid": keys[FR].key_id, "typ": typ}
        return jwt.encode(values, keys[FR].private, algorithm="EdDSA", headers=headers)

    assert (await recipient.verify(signed(claims))).event.id == "x"
    assert (await refusal(recipient, signed(claims, typ="JWT"))).field == "typ"  # an access token, say
    assert (await refusal(recipient, signed({k: v for k, v in claims.items() if k != "exp"}))).field == "exp"
    assert (await refusal(recipient, signed({k: v for k, v in claims.items() if k != "iss"}))).field == "iss"
    assert (await refusal(recipient, signed(claims | {"jti": "y"}))).field == "jti"
    assert (await refusal(recipient, signed(claims | {"exp": now + 3600}))).field == "exp"
    no_type = claims | {"event": {k: v for k, v in claims["event"].items() if k != "type"}}
    assert (await refusal(recipient, signed(no_type))).field == "event.type"
    assert (await refusal(recipient, signed(claims | {"event": "text"}))).field == "event"


def test_the_jwks_lists_the_signing_key_then_the_retired_ones_each_named_for_cooperation(keys):
    retired = OwnKey(new_signing_key())
    document = jwks(keys[FR], [retired.public])
    assert [k["kid"] for k in document["keys"]] == [keys[FR].key_id, retired.key_id]
    assert all(k["kid"].startswith(KID_PREFIX) and k["alg"] == "EdDSA" for k in document["keys"])


def test_the_directory_refuses_plain_http_and_an_authority_twice(tmp_path):
    entry = authority(FR).model_dump()
    with pytest.raises(DirectoryError, match="https"):
        Directory.parse({"authorities": [entry | {"inbox_url": "http://cnil.example/inbox"}]})
    with pytest.raises(DirectoryError, match="twice"):
        Directory.parse({"authorities": [entry, entry]})
    path = tmp_path / "directory.json"
    path.write_text('{"authorities": [' + authority(IT).model_dump_json() + "]}")
    assert [a.id for a in Directory.load(path)] == [IT]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Answer(200, None, None, 5), "delivered"),
        (Answer(409, "already_received", None, 5), "delivered"),  # a copy got through; its answer was lost
        (Answer(409, None, None, 5), "retry"),
        (Answer(409, "rejected", None, 5), "dead"),  # the peer's rule refuses the step as its case stands
        (Answer(409, "unknown_procedure", None, 5), "dead"),
        (Answer(403, "not_its_act", None, 5), "dead"),
        (Answer(422, "malformed", None, 5), "dead"),
        (Answer(413, None, None, 5), "dead"),
        (Answer(401, "unknown_key", None, 5), "retry"),  # the new key not yet fetched, say
        (Answer(503, None, None, 5), "retry"),
        (Answer(None, None, "ConnectError", 5), "retry"),
    ],
)
def test_what_a_peer_s_answer_means_to_the_sender(answer, expected):
    assert verdict(answer) == expected
