"""The real parts' releases from Maven Central: a pinned POM under deploy/, fetched with Maven once into a
cache outside git ($DOCKET_CACHE_DIR or <repo>/.cache), again only when the POM (or what is built from it)
changes, and never by two processes at once."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
_POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def cache_root() -> Path:
    return Path(os.environ.get("DOCKET_CACHE_DIR") or REPO_ROOT / ".cache")


def pom_property(pom: Path, name: str) -> str:
    """A `<properties>` value of a POM, e.g. the release it pins."""
    value = ET.parse(pom).findtext(f"m:properties/m:{name}", namespaces=_POM_NS)
    if not value:
        raise RuntimeError(f"{pom} has no <{name}> property")
    return value.strip()


@contextlib.contextmanager
def once(lock: Path, stamp: Path, digest: str) -> Iterator[bool]:
    """Under an exclusive lock, whether the work `stamp` vouches for must be done again (its digest differs);
    when it was and the block ends without an error, the stamp is written."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        stale = not (stamp.is_file() and stamp.read_text().strip() == digest)
        yield stale
        if stale:
            stamp.write_text(digest + "\n")


def run(pom: Path, *arguments: str, what: str) -> None:
    """`mvn -q -B -f pom ...`; a missing Maven or a failure raises with Maven's output."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError(f"Maven (mvn) is not on PATH; it is needed to fetch {what}")
    result = subprocess.run([mvn, "-q", "-B", "-f", str(pom), *arguments], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"fetching {what} with Maven failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        )
