"""A throwaway PostgreSQL 15 cluster for the benchmarks, set up as in shared/limits.md.

Started under /tmp on a free port of 55800–55899 (the benchmarks' range), run as the postgres
OS user when we are root, and always stopped and removed afterwards. The settings are the
limits.md anchors' (shared_buffers 4 GB, wal_level minimal, fsync on, synchronous_commit off,
2 parallel workers, jit off), so that figures compare with those anchors.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

PG_BIN = Path(os.environ.get("DANGSO_PG_BIN", "/usr/lib/postgresql/15/bin"))
PORTS = range(55800, 55900)
SETTINGS = {
    "shared_buffers": "4GB",
    "effective_cache_size": "16GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "2GB",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "wal_buffers": "64MB",
    "max_wal_size": "32GB",
    "min_wal_size": "2GB",
    "checkpoint_timeout": "30min",
    "checkpoint_completion_target": "0.9",
    "synchronous_commit": "off",
    "random_page_cost": "1.1",
    "effective_io_concurrency": "200",
    "max_worker_processes": "8",
    "max_parallel_workers": "2",
    "max_parallel_workers_per_gather": "2",
    "max_parallel_maintenance_workers": "2",
    "jit": "off",
    "autovacuum": "off",  # during loads; the benchmarks VACUUM (ANALYZE) by hand
}


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 55800 and 55899")


@contextlib.contextmanager
def cluster(settings: dict[str, str] | None = None) -> Iterator[str]:
    """Yield the DATABASE_URL of a fresh cluster; stop and delete it on the way out."""
    if not (PG_BIN / "initdb").exists():
        raise RuntimeError(f"PostgreSQL 15 is not installed at {PG_BIN}")
    directory = Path(tempfile.mkdtemp(prefix="dangso-bench-pg.", dir="/tmp"))
    data = directory / "data"
    try:
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
        subprocess.run(
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres",
                          "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        with (data / "postgresql.conf").open("a") as conf:
            for name, value in {**SETTINGS, **(settings or {})}.items():
                conf.write(f"{name} = '{value}'\n")
        port = _free_port()
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(directory / "log"),
                          "-w", "-o", f"-k {directory} -h 127.0.0.1 -p {port}", "start"]),
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            yield f"postgres://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                check=False, stdout=subprocess.DEVNULL,
            )  # fmt: skip
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def server_version(dsn: str) -> str:
    import psycopg

    with psycopg.connect(dsn) as conn:
        return str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
