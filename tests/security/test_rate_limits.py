"""The public door's rate limit counts clients, not the proxy in front of them, cannot be escaped by writing a
header, holds across instances, and keeps nothing per client in memory.

Before, the limit keyed on the peer's address, so behind an ingress every complainant shared one bucket; it
kept a bucket per address in each process, without bound; and each instance counted on its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import uuid4

import httpx
import pytest
import sqlalchemy as sa
from asgi_lifespan import LifespanManager

from docket_service.limits import client_address, client_key, networks
from services.intake.config import IntakeSettings
from services.intake.limits import RateLimiter, forget_full_buckets
from services.intake.main import create_app

STATUS = "/complaints/DKT-2020-AAAAAA/status"  # public, and 404 for a reference nobody holds
PROXIES = networks(["10.0.0.0/8", "fd00::/8"])


# --- whose address it is ----------------------------------------------------------------------------------


def test_without_a_trusted_proxy_the_peer_is_the_client_whatever_the_header_says():
    assert client_address("203.0.113.7", ["198.51.100.1"], ()) == "203.0.113.7"
    assert client_address("203.0.113.7", ["198.51.100.1"], PROXIES) == "203.0.113.7"


def test_behind_trusted_proxies_the_client_is_the_first_address_they_did_not_add_themselves():
    # The client wrote "1.1.1.1" itself; the ingress (10.0.0.2) appended the address it took the request from.
    assert client_address("10.0.0.2", ["1.1.1.1", "203.0.113.7"], PROXIES) == "203.0.113.7"
    # Two proxies: a load balancer, then the ingress.
    assert client_address("10.0.0.2", ["1.1.1.1, 203.0.113.7", "10.9.9.9"], PROXIES) == "203.0.113.7"
    assert client_address("10.0.0.2", ["[2001:db8::1]:443"], PROXIES) == "2001:db8::1"
    assert client_address("10.0.0.2", [], PROXIES) == "10.0.0.2"


def test_an_ipv6_client_is_counted_by_its_64():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:203.0.113.7") == client_key("203.0.113.7") == "203.0.113.7"


def test_the_limiter_keeps_nothing_per_client_in_memory():
    assert set(vars(RateLimiter(30, 10))) == {"interval_s", "window_s"}


def test_a_trusted_proxy_that_is_no_address_is_refused_at_start():
    with pytest.raises(ValueError, match="does not appear to be"):
        IntakeSettings(
            database_url="postgresql+asyncpg://n@h/d", oidc_issuer="https://id.example", trusted_proxies="ingress"
        )


# --- on the real database ---------------------------------------------------------------------------------


@asynccontextmanager
async def intake_from(app, peer: str) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=(peer, 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def settings(configure, bootstrap: str, **changes) -> IntakeSettings:
    values = {"kafka_bootstrap_servers": bootstrap, "run_consumer": False, "run_relay": False}
    return configure(IntakeSettings, **(values | changes))


def proxy(number: int) -> str:
    """An address of the ingress's pod network, new to this test run."""
    return f"10.{uuid4().int % 250}.{uuid4().int % 250}.{number}"


@pytest.mark.service
async def test_behind_the_ingress_each_client_has_its_own_bucket(configure, closed_port_bootstrap):
    limited = settings(
        configure, closed_port_bootstrap, rate_limit_per_minute=1, rate_limit_burst=2, trusted_proxies="10.0.0.0/8"
    )
    async with intake_from(create_app(limited), proxy(1)) as ingress:
        first, second = (f"203.0.113.{uuid4().int % 250}", f"198.51.100.{uuid4().int % 250}")
        answers = [(await ingress.get(STATUS, headers={"X-Forwarded-For": first})).status_code for _ in range(3)]
        assert answers == [404, 404, 429]
        # Another complainant behind the same ingress is not refused for the first one's requests.
        assert (await ingress.get(STATUS, headers={"X-Forwarded-For": second})).status_code == 404
        # Nor can the first escape their bucket by writing an address of their own in front of theirs.
        spoofed = await ingress.get(STATUS, headers={"X-Forwarded-For": f"192.0.2.1, {first}"})
        assert spoofed.status_code == 429 and int(spoofed.headers["Retry-After"]) >= 1


@pytest.mark.service
async def test_a_client_not_behind_a_trusted_proxy_cannot_choose_the_address_it_is_counted_under(
    configure, closed_port_bootstrap
):
    limited = settings(
        configure, closed_port_bootstrap, rate_limit_per_minute=1, rate_limit_burst=2, trusted_proxies="10.0.0.0/8"
    )
    peer = f"203.0.113.{uuid4().int % 250}"
    async with intake_from(create_app(limited), peer) as direct:
        answers = [
            (await direct.get(STATUS, headers={"X-Forwarded-For": f"192.0.2.{n}"})).status_code for n in range(3)
        ]
        assert answers == [404, 404, 429]


@pytest.mark.service
async def test_every_instance_takes_from_the_same_bucket_and_full_buckets_are_forgotten(
    configure, closed_port_bootstrap
):
    limited = settings(configure, closed_port_bootstrap, rate_limit_per_minute=1, rate_limit_burst=2)
    peer = f"198.51.100.{uuid4().int % 250}"
    one, two = create_app(limited), create_app(limited)
    async with intake_from(one, peer) as first, intake_from(two, peer) as second:
        assert (await first.get(STATUS)).status_code == 404
        assert (await second.get(STATUS)).status_code == 404
        refused = await first.get(STATUS)
        assert refused.status_code == 429, "the other instance's request counted"
        assert (await second.get(STATUS)).status_code == 429

        engine = one.state.runtime.engine
        async with engine.begin() as connection:  # as if a minute had passed: the bucket is full again
            await connection.execute(
                sa.text("UPDATE rate_limits SET full_again_at = now() - interval '1 second' WHERE client = :c"),
                {"c": peer},
            )
        assert await forget_full_buckets(engine) >= 1
        async with engine.connect() as connection:
            left = await connection.scalar(sa.text("SELECT count(*) FROM rate_limits WHERE client = :c"), {"c": peer})
        assert left == 0
        assert (await second.get(STATUS)).status_code == 404
