"""How one authority's Docket exchanges cooperation messages with another's: each message a CloudEvent carried in
a signed JWT (JWS, EdDSA over Ed25519), POSTed over HTTPS to the recipient's inbox and checked there against the
keys the sender publishes (a JWKS at a well-known address).

- directory.py: the authorities this one exchanges with (id, name, Member State, inbox, JWKS URL);
- keys.py: this authority's own signing key, the JWKS that publishes it with the keys it replaced, and the
  peers' published keys, fetched and cached;
- messages.py: `Exchange.sign(event, recipient)` and `Exchange.verify(token)`, which gives a `Verified` message
  or raises `Refused` with its reason;
- transport.py: the HTTPS client to the peers (their CA bundle, timeouts) and what an attempt's answer was.

It is the adapter between the case service and the other authorities, and all of it: a regulator that
exchanges through the EU's IMI instead replaces this package behind the same four names (Directory, Exchange,
Verified, Refused) and the case service's inbox and outbox stay as they are. It imports nothing of a service.
"""
