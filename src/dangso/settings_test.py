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

# Uploaded files, trust anchors and demo certificates go to throwaway directories, removed
# when the test process ends; never to var/.
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402


def _throwaway(prefix: str) -> str:
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


MEDIA_ROOT = _throwaway("dangso-test-media-")  # type: ignore[assignment]
DANGSO_TRUST_ANCHORS_DIR = _throwaway("dangso-test-trust-")
VAR_DIR = Path(_throwaway("dangso-test-var-"))
