"""A campaign: one request gives the same command to up to CAMPAIGN_MAX complaints alike. Each complaint still gets
its own events (and so its own letter); the complaints of one case are decided in one transaction, which is
one transaction for a campaign against one controller; a letter to the controller is written once per case,
so once per controller. Under its Idempotency-Key, each case's share is recorded with its events, and a retry
answers the shares already done as they were and does the rest: nothing is done twice.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, replace
from typing import Any

from .application import Actor
from .domain import AskController, SelectionCommand
from .handling import Handling, IdempotencyKeyReused, Step, run


@dataclass(frozen=True)
class Done:
    """What a campaign's request did: each complaint's result in the order named, and whether every share was
    answered from what a first request with the same Idempotency-Key did."""

    results: list[dict[str, Any]]
    replayed: bool


def request_digest(route: str, body: dict[str, Any]) -> str:
    """The digest a key is checked against: the route and the body, so a key serves one request only."""
    return hashlib.sha256(json.dumps([route, body], sort_keys=True, default=str).encode()).hexdigest()


async def give(store: Handling, command: SelectionCommand, actor: Actor, step: Step) -> Done:
    """Give `command` to each complaint it names, case by case."""
    async with store.transaction():
        cases = await store.cases_of(command.complaint_ids)
        for case_id in set(cases.values()):
            done = await store.step_done(step, case_id)
            if done is not None and done[0] != step.request_digest:
                raise IdempotencyKeyReused("this Idempotency-Key was used for another campaign request")
    shares: dict[uuid.UUID, list[uuid.UUID]] = {}
    for complaint_id in dict.fromkeys(command.complaint_ids):
        if complaint_id in cases:
            shares.setdefault(cases[complaint_id], []).append(complaint_id)
    found: dict[str, dict[str, Any]] = {}
    replayed = True
    for case_id, ids in shares.items():
        share = replace(command, complaint_ids=tuple(ids))
        if isinstance(share, AskController):
            share = replace(share, letter_id=uuid.uuid4())  # one letter to each case's controller
        outcome = await run(store, case_id, share, actor, step)
        replayed &= outcome.replayed
        found |= {result["complaint_id"]: result for result in outcome.results}
    unknown = {
        str(c): {"complaint_id": str(c), "result": "refused", "status": 404, "detail": f"no case holds complaint {c}"}
        for c in command.complaint_ids
        if c not in cases
    }
    results = [(found | unknown)[str(c)] for c in dict.fromkeys(command.complaint_ids)]
    return Done(results, replayed and bool(shares))
