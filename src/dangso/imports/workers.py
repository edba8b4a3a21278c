"""The import's worker processes, started fresh (spawn), never forked.

The rows of a national file are read and checked by a pool of processes, one per core. They
are spawned, not forked: the rules run vectorised in polars, whose thread pool does not survive
`fork()` — a child forked from a process that had used polars (an earlier small import in the
same job worker or web process) would wait for ever on its missing threads. A spawned worker
starts Django itself and receives the converter (cell lists, caches, translated messages)
pickled once, in `start`.

This module imports nothing of Django or of the project at load time: the pool imports it in a
fresh interpreter before Django is set up.
"""

import contextlib
import ctypes
import os
import pickle
import signal
from typing import Any

_converter: Any = None
_PR_SET_PDEATHSIG = 1


def start(settings_module: str, converter: bytes, parent: int) -> None:
    """Pool initializer: Django, then the converter.

    A child dies with its parent (Linux): a killed import must not leave children running.
    It leaves stopping and Ctrl-C to its parent, whatever handlers the parent has."""
    global _converter
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    _converter = pickle.loads(converter)


def convert(unit: Any) -> Any:
    assert _converter is not None
    return _converter.convert(unit)
