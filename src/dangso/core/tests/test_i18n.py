"""The Vietnamese catalogue is the primary one and is always complete."""

import re
from pathlib import Path

import pytest
from django.conf import settings

# The platform's catalogue, and each app's own (src/dangso/<app>/locale/vi/…).
CATALOGUES = sorted(Path(settings.BASE_DIR).glob("**/locale/vi/LC_MESSAGES/django.po"))
_ENTRY = re.compile(r'(#, fuzzy\n)?(?:#.*\n)*msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)')


def _text(quoted: str) -> str:
    return "".join(line.strip()[1:-1] for line in quoted.strip().splitlines())


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: str(path.parent.parent.parent))
def test_every_message_has_a_vietnamese_translation(catalogue):
    entries = _ENTRY.findall(catalogue.read_text(encoding="utf-8"))
    assert len(entries) > 1
    untranslated = [_text(msgid) for fuzzy, msgid, msgstr in entries[1:] if not _text(msgstr)]
    fuzzy = [_text(msgid) for flag, msgid, _ in entries[1:] if flag]
    assert untranslated == []
    assert fuzzy == []
