"""The stories `make run ARGS=--network` plays after the CNIL's own, with the other authorities' Dockets
(network.py): the Clearview network (clearview_network.py, with the Garante) and a one-stop shop (one_stop_shop.py,
with the Irish DPC); and where those Dockets answer."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import httpx

from . import clearview_network, one_stop_shop
from .clearview import Played
from .keycloak import KeycloakServer
from .network import CNIL, DPC, GARANTE, Network
from .network_story import NetworkStory, Side, StaffOf
from .staff import ROLES, Tokens
from .story import Console, draw

STAFF = {GARANTE: clearview_network.GARANTE_STAFF, DPC: one_stop_shop.DPC_STAFF}
WHO = {GARANTE: "the Garante's", DPC: "the DPC's"}


def player(
    peers: Network, urls: Mapping[str, Mapping[str, str]], keycloak: KeycloakServer, console: Console, data_dir: Path
) -> Callable[[dict[str, httpx.AsyncClient], Played], Awaitable[None]]:
    """The network stories, played after the CNIL's story on its case (`played`), with the CNIL's clients; each
    story's picture, as the case service draws it, saved in `data_dir`."""

    async def play(cnil: dict[str, httpx.AsyncClient], played: Played) -> None:
        verify = peers.verify()
        async with contextlib.AsyncExitStack() as stack:
            sides = {CNIL: Side(CNIL, cnil["intake"], cnil["case"], Tokens(keycloak), notifier=cnil["notifier"])}
            for authority, people in STAFF.items():
                clients = {
                    name: await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30, verify=verify))
                    for name, url in urls[authority].items()
                }
                staff = StaffOf(Tokens(keycloak, peers.of(authority).realm), people)
                sides[authority] = Side(
                    authority, clients["intake"], clients["case"], staff, people, clients["notifier"]
                )

            clearview = NetworkStory("network", clearview_network.MOVES, sides, console)
            clearview.played.cases[CNIL] = played.case_id
            await tell(clearview, "The Clearview network: the CNIL and the Garante", clearview_network.summarise)
            await draw_case(clearview, GARANTE, data_dir / "clearview-network-timeline.svg")
            shop = NetworkStory("one-stop shop", one_stop_shop.moves(), sides, console)
            await tell(shop, "The one-stop shop: the CNIL and the Irish DPC", one_stop_shop.summarise)
            await draw_case(shop, DPC, data_dir / "one-stop-shop-timeline.svg")
            console.line(
                f"directories {peers.ca_file.parent} (each naming the other authorities; the CA is {peers.ca_file})"
            )

    return play


async def tell(
    story: NetworkStory, title: str, summarise: Callable[[NetworkStory], Awaitable[list[tuple[str, str | None]]]]
) -> None:
    """Play the story under its title, then print its summary."""
    story.console.heading(f"{title}, in {len(story.moves)} steps")
    await story.play()
    for text, style in await summarise(story):
        story.console.line(text, style)


async def draw_case(story: NetworkStory, authority: str, picture: Path) -> None:
    """The authority's case of the story on a time axis, as its case service draws it, saved to `picture`."""
    side = story.sides[authority]
    await draw(side.case, side.staff, story.played.cases[authority], picture, story.console)


def explore(peers: Network, urls: Mapping[str, Mapping[str, str]], console: Console) -> None:
    """Where the other authorities' Dockets answer, and who their staff are."""
    for authority, people in STAFF.items():
        console.line()
        installation = peers.of(authority)
        for name, base in urls[authority].items():
            console.line(f"{name:<9} {base}  ({WHO[authority]}, {authority}; API docs: {base}/docs)")
        staff = ", ".join(f"{user} ({ROLES[cnil_user]})" for cnil_user, user in people.items())
        console.line(f"staff     {staff}: realm {installation.realm}, password docket-demo")
    console.line(f"          their case services' certificates are signed by {peers.ca_file} (curl --cacert)")
