"""Intake's use cases, a module per concern: filing (filing.py), the complainant's door (door.py: status and
withdrawal), evidence (evidence.py), staff's reads of complaints (complaints.py), and the complainant's rights
of access and erasure (rights.py).

Each use case that writes opens and commits its own transaction on the session it is given (a read runs in the
one the session begins); the routes parse and answer, the store reads and writes within the transaction it is
in. The routes are given plain values (frozen dataclasses), never the store's rows. A refusal is an exception of
errors.py, which the api answers with its status code.
"""
