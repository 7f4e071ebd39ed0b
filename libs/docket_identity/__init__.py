"""Docket's staff identity: who is calling, verified against any OpenID Connect provider, and which
roles may call each route.

Nothing here is specific to one provider: the issuer, the audience and the claim that carries the
roles come from settings, and the signing keys from the issuer's published JWKS.
"""
