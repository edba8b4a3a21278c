"""Test settings: the same settings, with faster hashing and plain static storage."""

import os

os.environ.setdefault("DANGSO_DEBUG", "1")
os.environ.setdefault("DANGSO_HTTPS", "0")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from dangso.settings import *  # noqa: F403
from dangso.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # type: ignore[assignment]  # tests serve static files via finders

# Uploaded files and trust anchors go to a throwaway directory, never to var/.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="dangso-test-media-")  # type: ignore[assignment]
DANGSO_TRUST_ANCHORS_DIR = tempfile.mkdtemp(prefix="dangso-test-trust-")
VAR_DIR = Path(tempfile.mkdtemp(prefix="dangso-test-var-"))
