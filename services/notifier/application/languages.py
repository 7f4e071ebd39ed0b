"""The languages letters are written in: each one's words from its gettext catalog (services/notifier/locales/
<language>/LC_MESSAGES/letters.po), its dates, amounts and numbers as Babel writes them for it. English is the
language the letters are written in (the catalogs' msgids): its words are the domain's own, `ENGLISH`.

The catalogs are read once, when the service starts; a fuzzy or empty translation is left out, and the English
stands in for it (tests/unit/test_notifier_languages.py fails on any such message).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from gettext import NullTranslations
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

from ..domain.letters import ENGLISH, Words

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "letters"


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def translations(language: str) -> NullTranslations:
    """`language`'s catalog, compiled in memory (no .mo file is kept)."""
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


@dataclass(frozen=True)
class BabelWords:
    """A language's words: its catalog, and Babel's way of writing its dates, amounts and numbers."""

    language: str
    catalog: NullTranslations

    def gettext(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)

    def date(self, day: date) -> str:
        return format_date(day, format="long", locale=self.language)

    def euros(self, amount: int) -> str:
        """Whole euros, as the language writes an amount ("20 000 000 €"), without cents."""
        pattern = Locale.parse(self.language).currency_formats["standard"].pattern.replace(".00", "")
        return format_currency(amount, "EUR", format=pattern, locale=self.language, currency_digits=False)

    def number(self, n: int) -> str:
        return format_decimal(n, locale=self.language)


def languages() -> list[str]:
    """The languages with a catalog, and English."""
    return sorted({"en", *(path.parent.parent.name for path in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))})


class Languages:
    """The words of every language letters are written in, and the authority's own (for controllers, staff, and
    complainants whose language is not known)."""

    def __init__(self, authority: str = "en") -> None:
        self._words: dict[str, Words] = {
            language: ENGLISH if language == "en" else BabelWords(language, translations(language))
            for language in languages()
        }
        if authority not in self._words:
            raise ValueError(f"no catalog for the authority's language {authority!r}")
        self.authority = self._words[authority]

    def words(self, language: str | None) -> Words:
        """The words of `language`, or the authority's if it is not known or has no catalog."""
        return self._words.get(language or "", self.authority)
