"""A cooperation message: a CloudEvent in a signed JWT, and the checks it passes before it is believed.

The token's header names the algorithm (EdDSA), the sender's key (`kid`) and the type `cooperation+jwt`, so that
no other JWT of the sender's (an access token, say) can pass for a message. Its claims:

- `iss`: the sender's id in the directory; `aud`: the recipient's;
- `jti`: the CloudEvent's id, which the recipient records: the same `jti` again is a replay;
- `iat` and `exp`: when it was signed, and a short while after (a minute by default);
- `event`: the CloudEvent itself, in the CloudEvents JSON format.

`Exchange.verify` checks, in this order, and refuses with the first reason that applies: the token's shape,
the sender in the directory, its key among those it publishes, the signature, the audience (us), the times
(with a small leeway), the CloudEvent, and last, once the sender is known to be who it says, that its `jti` was
not received before.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import jwt

from docket_contracts.envelope import SPEC_VERSION, CloudEvent

from .directory import Authority, Directory
from .keys import ALGORITHM, KeysUnavailable, OwnKey, PeerKeys, UnknownKey

TOKEN_TYPE = "cooperation+jwt"
# The longest a message's token may live (exp - iat): a sender that asks for more is refused.
MAX_LIFETIME_S = 600

Reason = Literal[
    "malformed",
    "unknown_authority",
    "keys_unavailable",
    "unknown_key",
    "bad_signature",
    "wrong_audience",
    "expired",
    "not_yet_valid",
    "already_received",
    "not_its_act",
    "not_reportable",
    "unknown_procedure",
    "rejected",
    "invalid",
]
# 422: the message can never be accepted; 409: it was, before; 401: not believed as it stands (a sender may try
# again, e.g. once its new key is published). Then what the recipient's rules refuse of a message it believes:
# 403, a step the sender reports as another authority's act; 422, a fact each authority's own clock finds, or a
# step a rule refuses for one of its fields; 409, a step whose procedure the recipient does not hold, or that a rule
# refuses as the case stands. The sender gives each up, and its staff read why.
STATUS: dict[Reason, int] = {
    "malformed": 422,
    "already_received": 409,
    "not_its_act": 403,
    "not_reportable": 422,
    "unknown_procedure": 409,
    "rejected": 409,
    "invalid": 422,
    "unknown_authority": 401,
    "keys_unavailable": 401,
    "unknown_key": 401,
    "bad_signature": 401,
    "wrong_audience": 401,
    "expired": 401,
    "not_yet_valid": 401,
}


class Refused(Exception):
    """A message not accepted: `reason` says why in a word, `detail` in a sentence, `field` names what is malformed;
    `sender` and `jti` are what the token claims (unverified unless the reason is `already_received`)."""

    def __init__(
        self,
        reason: Reason,
        detail: str,
        *,
        field: str | None = None,
        sender: str | None = None,
        jti: str | None = None,
        event_type: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.field = reason, detail, field
        self.sender, self.jti, self.event_type = sender, jti, event_type

    @property
    def status(self) -> int:
        return STATUS[self.reason]

    def answer(self) -> dict[str, object]:
        """The body of the refusal as the sender reads it: its reason and why; a malformed or invalid message's
        `detail` in the shape of every 422 of Docket's, naming the field (a claim of the token, `body.event.type`;
        a field of the step, `body.event.data.raised_on`)."""
        if self.reason not in ("malformed", "invalid"):
            return {"reason": self.reason, "detail": self.detail}
        where = ["body", *(self.field or "token").split(".")]
        return {"reason": self.reason, "detail": [{"loc": where, "msg": self.detail, "type": "value_error"}]}


@dataclass(frozen=True)
class Verified:
    """A message that passed every check."""

    sender: Authority
    event: CloudEvent
    token: str
    key_id: str
    issued_at: datetime


# Whether `jti` of the authority was received before (the recipient's record of messages).
AlreadyReceived = Callable[[str, str], Awaitable[bool]]


async def never_received(sender: str, jti: str) -> bool:
    return False


class Exchange:
    """Signs the messages of authority `own_id` and verifies those sent to it."""

    def __init__(
        self,
        own_id: str,
        key: OwnKey,
        directory: Directory,
        peer_keys: PeerKeys,
        *,
        lifetime_s: float = 60.0,
        leeway_s: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 < lifetime_s <= MAX_LIFETIME_S:
            raise ValueError(f"a message's token lives between 0 and {MAX_LIFETIME_S} s")
        self.own_id, self.key, self.directory, self.peer_keys = own_id, key, directory, peer_keys
        self.lifetime_s, self.leeway_s, self._clock = lifetime_s, leeway_s, clock

    def sign(self, event: CloudEvent, recipient: str) -> str:
        """The compact JWS carrying `event` to `recipient`, signed now with this authority's key."""
        now = int(self._clock())
        claims = {
            "iss": self.own_id,
            "aud": recipient,
            "jti": event.id,
            "iat": now,
            "exp": now + int(self.lifetime_s),
            "event": event.structured(),
        }
        headers = {"kid": self.key.key_id, "typ": TOKEN_TYPE}
        return jwt.encode(claims, self.key.private, algorithm=ALGORITHM, headers=headers)

    async def verify(self, token: str, already_received: AlreadyReceived = never_received) -> Verified:
        """The message, if it passes every check; else Refused with the first reason that applies."""
        header, unverified = _unverified(token)
        sender_id, jti = unverified.get("iss"), unverified.get("jti")
        claimed = {
            "sender": sender_id if isinstance(sender_id, str) else None,
            "jti": jti if isinstance(jti, str) else None,
            "event_type": _event_type(unverified.get("event")),
        }
        if not isinstance(sender_id, str) or not sender_id:
            raise Refused("malformed", "the message names no sender (iss)", field="iss", **claimed)
        sender = self.directory.get(sender_id)
        if sender is None:
            raise Refused("unknown_authority", f"{sender_id} is not in this authority's directory", **claimed)
        try:
            key = await self.peer_keys.key(sender, header["kid"])
        except UnknownKey as exc:
            raise Refused("unknown_key", str(exc), **claimed) from None
        except KeysUnavailable as exc:
            raise Refused("keys_unavailable", str(exc), **claimed) from None
        claims = self._decode(token, key, sender_id, claimed)
        event = event_of(claims["event"], claimed)
        if event.id != claims["jti"]:
            raise Refused("malformed", "the message's jti is not its event's id", field="jti", **claimed)
        if await already_received(sender_id, event.id):
            raise Refused("already_received", f"message {event.id} of {sender_id} was received before", **claimed)
        return Verified(sender, event, token, header["kid"], datetime.fromtimestamp(claims["iat"], UTC))

    def _decode(self, token: str, key: jwt.PyJWK, sender_id: str, claimed: Mapping[str, Any]) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.own_id,
                issuer=sender_id,
                leeway=self.leeway_s,
                options={"require": ["iss", "aud", "jti", "iat", "exp", "event"], "strict_aud": True},
            )
        except jwt.InvalidSignatureError:
            raise Refused(
                "bad_signature", f"the signature does not verify under {sender_id}'s key", **claimed
            ) from None
        except jwt.InvalidAudienceError:
            raise Refused("wrong_audience", f"the message is not addressed to {self.own_id}", **claimed) from None
        except jwt.ExpiredSignatureError:
            raise Refused("expired", "the message's token has expired (exp)", **claimed) from None
        except jwt.ImmatureSignatureError:
            raise Refused("not_yet_valid", "the message's token is dated in the future (iat)", **claimed) from None
        except jwt.MissingRequiredClaimError as exc:
            raise Refused("malformed", f"the message has no {exc.claim}", field=exc.claim, **claimed) from None
        except jwt.PyJWTError as exc:
            raise Refused("malformed", f"the message's claims are invalid ({exc})", field="token", **claimed) from None
        if claims["exp"] - claims["iat"] > MAX_LIFETIME_S:
            raise Refused("malformed", f"the token lives longer than {MAX_LIFETIME_S} s", field="exp", **claimed)
        return claims


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and the claims, read before anything is checked (to know whom to check them against)."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise Refused("malformed", "the body is not a signed JWT (compact JWS)", field="token") from None
    if header.get("alg") != ALGORITHM:
        raise Refused("malformed", f"the message is signed with {header.get('alg')!r}, not EdDSA", field="alg")
    if header.get("typ") != TOKEN_TYPE:
        raise Refused("malformed", f"the token's type is {header.get('typ')!r}, not {TOKEN_TYPE}", field="typ")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise Refused("malformed", "the token names no key (kid)", field="kid")
    return header, claims


def _event_type(event: object) -> str | None:
    kind = event.get("type") if isinstance(event, Mapping) else None
    return kind if isinstance(kind, str) else None


def event_of(document: object, claimed: Mapping[str, Any] | None = None) -> CloudEvent:
    """The CloudEvent of a message's `event` claim (CloudEvents JSON format); Refused naming the field that is
    missing or wrong."""
    claimed = claimed or {}

    def malformed(name: str, why: str) -> Refused:
        return Refused("malformed", f"event.{name} {why}", field=f"event.{name}", **claimed)

    if not isinstance(document, Mapping):
        raise Refused("malformed", "the event is not a JSON object", field="event", **claimed)
    for name in ("id", "type", "source", "subject", "time"):
        if not isinstance(document.get(name), str) or not document[name]:
            raise malformed(name, "is missing or not a string")
    if document.get("specversion") != SPEC_VERSION:
        raise malformed("specversion", f"is not {SPEC_VERSION}")
    if not isinstance(document.get("data"), dict):
        raise malformed("data", "is missing or not a JSON object")
    try:
        moment = datetime.fromisoformat(document["time"].replace("Z", "+00:00"))
    except ValueError:
        raise malformed("time", "is not an RFC 3339 time") from None
    if moment.tzinfo is None:
        raise malformed("time", "has no time zone")
    sequence = document.get("sequence")
    if sequence is not None and not (isinstance(sequence, str) and sequence.isdigit()):
        raise malformed("sequence", "is not a number")
    return CloudEvent(
        type=document["type"],
        source=document["source"],
        subject=document["subject"],
        dataschema=str(document.get("dataschema") or ""),
        data=document["data"],
        id=document["id"],
        time=moment,
        sequence=int(sequence) if sequence is not None else None,
    )
