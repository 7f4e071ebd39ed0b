"""What a failure says about the work that met it: transient (the database or the network is away for a
while; retry without limit, never give up on the event) or not (something about the event or the code;
count the attempts and dead-letter). And for Kafka, whether the broker refused one message for good (it
will refuse it however often it is sent) or failed for a while. Pure: no I/O, no logging.

Through SQLAlchemy's asyncpg dialect a server error arrives as a `sqlalchemy.exc.DBAPIError` whose `orig`
is the dialect's adapter error (carrying `sqlstate`) and whose adapter error's `__cause__` is asyncpg's
own exception (also carrying `sqlstate`). Most server errors become the generic DBAPIError, so the class
of the exception says little and the SQLSTATE says what happened.
"""

from __future__ import annotations

import asyncpg
import sqlalchemy as sa
from aiokafka import errors as kafka_errors

# SQLSTATE classes that describe the server or the connection, not the statement: 08 connection
# exception, 40 transaction rollback (serialization failure, deadlock), 53 insufficient resources (too
# many connections, out of memory, disk full), 57 operator intervention (shutdown, starting up,
# administrator command, cancelled).
TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "57"})
# A read-only transaction: after a failover the connection may reach a server that is now a standby.
TRANSIENT_SQLSTATES = frozenset({"25006"})

# Failures below the SQL level: the network, the socket, a timeout, a connection asyncpg or SQLAlchemy
# has given up on, a prepared statement made stale by a migration (the next attempt prepares it again).
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionError and (since 3.10) TimeoutError are OSErrors
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.OutdatedSchemaCacheError,
    asyncpg.exceptions.InvalidCachedStatementError,
    sa.exc.InterfaceError,
    sa.exc.DisconnectionError,
    sa.exc.TimeoutError,  # no connection free in the pool in time
)

# How far along `orig` / `__cause__` links to look for the underlying error.
_MAX_DEPTH = 8


def causes(exc: BaseException) -> list[BaseException]:
    """`exc`, then what it wraps: SQLAlchemy's `orig`, then each explicit `__cause__` (not `__context__`:
    an error raised while handling another is not caused by it)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < _MAX_DEPTH and all(current is not seen for seen in chain):
        chain.append(current)
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return chain


def sqlstates(exc: BaseException) -> list[str]:
    """Every distinct SQLSTATE along the chain, outermost first: asyncpg reports a connection the server
    closed with a FATAL error as 08003 (ConnectionDoesNotExistError) caused by the server's own (57P01)."""
    codes: list[str] = []
    for error in causes(exc):
        code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(code, str) and len(code) == 5 and code not in codes:
            codes.append(code)
    return codes


def sqlstate(exc: BaseException) -> str | None:
    """The outermost SQLSTATE in the chain: the one that decides."""
    return next(iter(sqlstates(exc)), None)


def is_transient_sqlstate(code: str) -> bool:
    return code[:2] in TRANSIENT_SQLSTATE_CLASSES or code in TRANSIENT_SQLSTATES


def is_transient(exc: BaseException) -> bool:
    """True if retrying the same work later may succeed without anything about the work changing."""
    chain = causes(exc)
    if any(isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated for error in chain):
        return True
    code = sqlstate(exc)
    if code is not None:
        return is_transient_sqlstate(code) or any(isinstance(error, CONNECTION_ERRORS) for error in chain)
    if any(isinstance(error, CONNECTION_ERRORS) for error in chain):
        return True
    # DB-API's OperationalError is "not necessarily under the control of the programmer" (a lost
    # connection); without a SQLSTATE to say otherwise it is taken at its word.
    return isinstance(exc, sa.exc.OperationalError)


# A unique violation: another transaction committed the same key first. With two processes of a service, two
# handlers may decide on the same state at once (two complaints routed to one case: both append its next version);
# the one that loses finds the other's effect when it tries again, and decides again. It is not transient (a
# handler that breaks a key every time is a bug), so the consumer retries it a bounded number of times.
CONFLICT_SQLSTATES = frozenset({"23505"})


def is_conflict(exc: BaseException) -> bool:
    """True if `exc` says another transaction got there first (a unique key taken since the work read it)."""
    return sqlstate(exc) in CONFLICT_SQLSTATES


def describe(exc: BaseException) -> str:
    """The failure in words fit for a log line, a dead-letter header or an outbox row: the exception's type,
    the underlying driver error's type and SQLSTATE, never its message (a database error quotes the
    statement, its parameters and the offending values, which may be personal data; a handler's error may
    quote the event). Kafka's errors are the exception: their text is the client's or the broker's own."""
    if isinstance(exc, kafka_errors.KafkaError):  # the client's and the broker's words, never the message's
        return str(exc)[:500]
    names = [type(error).__name__ for error in causes(exc)]
    unique = list(dict.fromkeys(names))
    codes = sqlstates(exc)
    return " <- ".join(unique) + (f" (SQLSTATE {' <- '.join(codes)})" if codes else "")


def kind(exc: BaseException) -> str:
    """The failure's kind only, for what anyone who reaches a service may read (/readyz): the exception's type
    and its causes', and the SQLSTATE; no text, not even Kafka's, which names hosts and ports."""
    names = list(dict.fromkeys(type(error).__name__ for error in causes(exc)))
    codes = sqlstates(exc)
    return " <- ".join(names) + (f" (SQLSTATE {' <- '.join(codes)})" if codes else "")


# Broker answers about one message (or the batch it travelled in) that sending it again cannot change: it
# is too large for the producer or the topic, names a topic that cannot exist, or is corrupt. Everything
# else (no leader, timeouts, a lost connection, a fenced or out-of-sequence producer, an authorization
# the operator has yet to grant) is about the broker or the producer and is retried.
REFUSED_FOR_GOOD: tuple[type[BaseException], ...] = (
    kafka_errors.MessageSizeTooLargeError,
    kafka_errors.RecordListTooLargeError,
    kafka_errors.RecordTooLargeError,
    kafka_errors.InvalidTopicError,
    kafka_errors.CorruptRecordException,
    kafka_errors.InvalidTimestampError,
)


def refused_for_good(exc: BaseException) -> bool:
    """True if the broker (or the producer, before sending) refused the message for what it is."""
    return any(isinstance(error, REFUSED_FOR_GOOD) for error in causes(exc))
