"""The webhook rules: signatures, body, matching, retry schedule, verdicts, outbound safety; no I/O."""

import base64
import ipaddress
import json
from datetime import UTC, datetime
from typing import get_args
from uuid import uuid4

import pytest

from docket_contracts.envelope import CloudEvent
from docket_messaging.backoff import RetrySchedule
from services.notifier.config import NotifierSettings
from services.notifier.domain.webhooks import (
    SUBSCRIBABLE,
    Filter,
    RefusedUrl,
    body_bytes,
    check_url,
    is_public,
    matches,
    new_secret,
    signature,
    signed_headers,
    unknown_event_types,
    verdict,
)


def test_the_signature_matches_the_standard_webhooks_test_vector():
    assert (
        signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            b'{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_the_signature_covers_id_timestamp_and_body():
    secret = new_secret()
    base = signature(secret, "a", 1, b"{}")
    assert {
        signature(secret, "b", 1, b"{}"),
        signature(secret, "a", 2, b"{}"),
        signature(secret, "a", 1, b"[]"),
        signature(new_secret(), "a", 1, b"{}"),
    }.isdisjoint({base})


def test_a_new_secret_is_whsec_and_32_random_bytes():
    secret = new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert secret != new_secret()


def test_while_a_rotated_secret_is_honoured_both_sign():
    old, new = new_secret(), new_secret()
    headers = signed_headers([new, old], "id-1", 1700000000, b"{}", "application/cloudevents+json")
    assert headers["webhook-signature"].split(" ") == [
        signature(new, "id-1", 1700000000, b"{}"),
        signature(old, "id-1", 1700000000, b"{}"),
    ]
    assert (headers["webhook-id"], headers["webhook-timestamp"]) == ("id-1", "1700000000")


def test_the_body_is_the_cloudevent_in_structured_json():
    event = CloudEvent(
        type="docket.case.closed",
        source="/docket/case",
        subject="c-1",
        dataschema="urn:docket:schema:docket.case.closed:v1",
        data={"outcome": "complied"},
        id="e-1",
        time=datetime(2023, 6, 1, 12, 0, tzinfo=UTC),
        sequence=9,
    )
    document = json.loads(body_bytes(event.structured()))
    assert document == {
        "specversion": "1.0",
        "id": "e-1",
        "source": "/docket/case",
        "type": "docket.case.closed",
        "subject": "c-1",
        "time": "2023-06-01T12:00:00Z",
        "dataschema": "urn:docket:schema:docket.case.closed:v1",
        "datacontenttype": "application/json",
        "data": {"outcome": "complied"},
        "sequence": "9",
    }


def test_subscribers_may_ask_for_the_events_of_complaints_and_cases_only():
    assert "docket.complaint.filed" in SUBSCRIBABLE and "docket.penalty_payment.liquidated" in SUBSCRIBABLE
    assert "docket.notification.recorded" not in SUBSCRIBABLE
    assert unknown_event_types(["docket.case.opened", "docket.case.reopened"]) == ["docket.case.reopened"]


def test_a_subscription_matches_on_type_then_controller_then_case():
    case_id = uuid4()
    by_type = Filter(("docket.case.closed",))
    assert matches(by_type, "docket.case.closed", "acme", None)
    assert not matches(by_type, "docket.case.opened", "acme", None)
    by_controller = Filter(("docket.case.closed",), controller_key="acme")
    assert matches(by_controller, "docket.case.closed", "acme", case_id)
    assert not matches(by_controller, "docket.case.closed", "other", case_id)
    assert not matches(by_controller, "docket.case.closed", None, case_id)
    by_case = Filter(("docket.case.closed",), case_id=case_id)
    assert matches(by_case, "docket.case.closed", "acme", case_id)
    assert not matches(by_case, "docket.case.closed", "acme", uuid4())


def test_retries_back_off_exponentially_up_to_the_cap_with_half_jitter():
    schedule = RetrySchedule(max_attempts=5, base_delay_s=10, max_delay_s=60)
    assert [schedule.delay(n, 0.0) for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 30, 30]
    assert [schedule.delay(n, 0.999999) for n in (1, 2, 3)] == pytest.approx([10, 20, 40])
    assert schedule.delay(2, 0.5) == 15
    assert not schedule.exhausted(4) and schedule.exhausted(5)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, "delivered"),
        (204, "delivered"),
        (410, "gone"),
        (500, "retry"),
        (503, "retry"),
        (429, "retry"),
        (400, "retry"),
        (301, "retry"),
        (None, "retry"),
    ],
)
def test_what_an_answer_means(status, expected):
    assert verdict(status) == expected


@pytest.mark.parametrize(
    ("url", "addresses", "reason"),
    [
        ("ftp://example.com/x", ["93.184.216.34"], "http or https"),
        ("https:///path", ["93.184.216.34"], "http or https"),
        ("https://user:pw@example.com/", ["93.184.216.34"], "credentials"),
        ("https://nowhere.invalid/", [], "does not resolve"),
        ("https://internal.example/", ["10.1.2.3"], "not public (private)"),
        ("https://127.0.0.1:9000/", ["127.0.0.1"], "not public (loopback)"),
        ("https://metadata.example/", ["169.254.169.254"], "not public (link-local)"),
        ("https://v6.example/", ["::1"], "not public (loopback)"),
        ("https://mapped.example/", ["::ffff:10.0.0.1"], "not public (private (in IPv6))"),
        ("https://split.example/", ["93.184.216.34", "192.168.1.1"], "not public (private)"),
        ("https://nat64.example/", ["64:ff9b::a9fe:a9fe"], "not public (link-local (in IPv6))"),
        ("https://6to4.example/", ["2606:4700:4700::1111", "2002:7f00:1::1"], "not public (loopback (in IPv6))"),
        ("https://mixed.example/", ["10.0.0.1", "fe80::1", "172.16.0.1"], "not public (link-local, private)"),
        ("http://example.com/hook", ["93.184.216.34"], "https"),
    ],
)
def test_urls_docket_will_not_call(url, addresses, reason):
    with pytest.raises(RefusedUrl) as refused:
        check_url(url, addresses, allow_list=[])
    assert reason in str(refused.value)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.3.7", "private"),
        ("172.20.1.1", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("fec0::1", "private"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("192.0.2.1", "documentation"),
        ("2001:db8::1", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("240.0.0.1", "reserved"),
        ("192.0.0.9", "reserved"),
        ("64:ff9b:1::1", "reserved"),
        ("::ffff:10.0.3.7", "private (in IPv6)"),
        ("64:ff9b::a9fe:a9fe", "link-local (in IPv6)"),
        ("2002:a00:1::1", "private (in IPv6)"),
        ("::7f00:1", "loopback (in IPv6)"),
    ],
)
def test_a_refusal_names_the_kind_of_address_never_the_address(address, kind):
    # Integrators read the message (the 422, a delivery's last error): it must not tell them how Docket's
    # network resolves a name, e.g. that db.internal is 10.0.3.7.
    with pytest.raises(RefusedUrl) as refused:
        check_url("https://db.internal/hook", [address], allow_list=[])
    message = str(refused.value)
    assert message == f"host db.internal resolves to an address that is not public ({kind}) and not on the allow-list"
    assert address not in message and str(ipaddress.ip_address(address)) not in message


def test_the_allow_list_admits_networks_and_host_names():
    check_url("https://example.com/hook", ["93.184.216.34"], allow_list=[])
    check_url("http://127.0.0.1:9000/hook", ["127.0.0.1"], allow_list=["127.0.0.0/8"])
    check_url("http://receiver.internal/hook", ["10.0.0.7"], allow_list=["Receiver.Internal"])
    with pytest.raises(RefusedUrl):
        check_url("http://127.0.0.1:9000/hook", ["127.0.0.1"], allow_list=["10.0.0.0/8"])


def test_the_allow_list_admits_embedded_forms_only_by_their_own_network_or_the_host_name():
    check_url("https://nat64.example/", ["64:ff9b::a00:1"], allow_list=["64:ff9b::/96"])
    check_url("https://receiver.internal/", ["::ffff:10.0.0.7"], allow_list=["receiver.internal"])
    with pytest.raises(RefusedUrl, match=r"not public \(private \(in IPv6\)\)"):
        check_url("https://receiver.internal/", ["::ffff:10.0.0.7"], allow_list=["10.0.0.0/8"])


TEREDO_SERVER = "4136:e378"  # 65.54.227.120; the client's address is stored inverted in the last 32 bits


@pytest.mark.parametrize(
    ("address", "public"),
    [
        # plain IPv4
        ("93.184.216.34", True),
        ("8.8.8.8", True),
        ("10.0.0.1", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("0.1.2.3", False),
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("192.0.0.9", False),
        ("192.0.2.1", False),
        ("198.18.0.1", False),
        ("192.88.99.1", False),
        # plain IPv6
        ("2606:4700:4700::1111", True),
        ("2001:4860:4860::8888", True),
        ("::", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("fd12:3456::1", False),
        ("fec0::1", False),
        ("ff02::1", False),
        ("ff0e::1", False),
        ("2001:db8::1", False),
        ("100::1", False),
        # IPv4-mapped ::ffff:a.b.c.d
        ("::ffff:127.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("::ffff:100.64.0.1", False),
        ("::ffff:8.8.8.8", True),
        # IPv4-compatible ::a.b.c.d (deprecated ::/96)
        ("::7f00:1", False),
        ("::a9fe:a9fe", False),
        ("::a00:1", False),
        ("::808:808", True),
        # IPv4-translated ::ffff:0:a.b.c.d (SIIT)
        ("::ffff:0:7f00:1", False),
        ("::ffff:0:808:808", True),
        # 6to4 2002:AABB:CCDD::/48
        ("2002:7f00:1::1", False),
        ("2002:a9fe:a9fe::1", False),
        ("2002:a00:1::1", False),
        ("2002:e000:1::1", False),
        ("2002:808:808::1", True),
        # NAT64 well-known prefix 64:ff9b::/96, and the local-use 64:ff9b:1::/48 refused outright
        ("64:ff9b::7f00:1", False),
        ("64:ff9b::a9fe:a9fe", False),
        ("64:ff9b::6440:1", False),
        ("64:ff9b::", False),
        ("64:ff9b::808:808", True),
        ("64:ff9b:1::1", False),
        ("64:ff9b:1::808:808", False),
        # Teredo 2001::/32: server and client must both be public
        (f"2001:0:{TEREDO_SERVER}:8000:63bf:f5ff:fffe", False),  # client 10.0.0.1
        (f"2001:0:{TEREDO_SERVER}:8000:63bf:5601:5601", False),  # client 169.254.169.254
        ("2001:0:a00:1:8000:63bf:f7f7:f7f7", False),  # server 10.0.0.1
        (f"2001:0:{TEREDO_SERVER}:8000:63bf:f7f7:f7f7", True),  # client 8.8.8.8
    ],
)
def test_which_addresses_are_public(address, public):
    assert is_public(ipaddress.ip_address(address)) is public


def test_the_allow_list_setting_reads_comma_separated_entries(monkeypatch):
    monkeypatch.setenv("WEBHOOK_ALLOW_LIST", "127.0.0.0/8, receiver.internal,")
    settings = NotifierSettings(
        database_url="postgresql+asyncpg://u@h/d",
        oidc_issuer="https://login.invalid/realms/d",
        keystore_database_url="postgresql+asyncpg://k@h/d",
        keystore_master_key=base64.b64encode(bytes(32)).decode(),
    )
    assert settings.webhook_allow_list == ["127.0.0.0/8", "receiver.internal"]
    assert settings.retry_schedule.max_attempts == settings.retry_max_attempts


async def test_a_subscription_without_a_signing_secret_sends_nothing_unsigned():
    from uuid import uuid4

    from services.notifier.application.deliveries import Claim, attempt_delivery
    from services.notifier.outbound import Answer

    posts = []

    class Recording:
        async def post(self, url, headers, body):
            posts.append(headers)
            return Answer(204, None, 1)

    claim = Claim(uuid4(), uuid4(), 1, uuid4(), "https://hooks.example.org/x", (), b"{}")
    answer = await attempt_delivery(claim, Recording())
    assert posts == [] and answer.status_code is None and "no signing secret" in (answer.error or "")
    signed = await attempt_delivery(
        Claim(uuid4(), uuid4(), 1, uuid4(), "https://hooks.example.org/x", ("whsec_" + "a" * 44,), b"{}"), Recording()
    )
    assert signed.status_code == 204 and posts[0]["webhook-signature"].startswith("v1,")


def test_the_event_types_a_subscription_may_name_are_the_contracts_in_its_order():
    from services.notifier.api import EventType

    assert get_args(EventType) == SUBSCRIBABLE
