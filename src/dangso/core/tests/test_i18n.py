"""The Vietnamese catalogue is the primary one and is always complete."""

import re
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"
_ENTRY = re.compile(r'(#, fuzzy\n)?(?:#.*\n)*msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)')


def _text(quoted: str) -> str:
    return "".join(line.strip()[1:-1] for line in quoted.strip().splitlines())


def test_every_message_has_a_vietnamese_translation():
    entries = _ENTRY.findall(CATALOGUE.read_text(encoding="utf-8"))
    assert len(entries) > 100
    untranslated = [_text(msgid) for fuzzy, msgid, msgstr in entries[1:] if not _text(msgstr)]
    fuzzy = [_text(msgid) for flag, msgid, _ in entries[1:] if flag]
    assert untranslated == []
    assert fuzzy == []
