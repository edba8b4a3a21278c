"""Roll-ups at national scale: the steering dashboard of a province and one national report.

Usage: .venv/bin/python bench/rollups.py [--tasks 1000000] [--provinces 0] [--requests 30]
                                         [--runs 5] [--page-requests 10] [--seed 204]
                                         [--national-requests 5] [--quiet-wait 300]
                                         [--database-url postgres://…] [--output file.json]
Starts a throwaway PostgreSQL 15 cluster under /tmp (bench/pgcluster.py, ports 55800–55899;
or uses --database-url / DATABASE_URL, which must name an empty database), runs the project's
migrations and builds, set-based (COPY and INSERT … SELECT, never an ORM loop):

- the national tree of bench/benchdata.py (34 provinces → 3,305 communes → ~200,000 cells)
  with one open OrganisationVersion each (`members.synthetic.load.load_orgs`); `--provinces N`
  keeps only the N largest provinces' subtrees (a quick run: `--provinces 1`);
- ~N tasks (`--tasks`, default 1,000,000): 30 tasks of the Central Committee (some in the
  programmes "Đề án 204" and "Chương trình chuyển đổi số", one confidential) handed to every
  province, each province's copy handed to each of its communes with 10 tasks of the province's
  own, and each commune's copy of a central task handed to a share of its cells chosen so that
  the total comes near N. The leaves get a status mix (done on time / late, in progress, not
  started, overdue on the day of the run) with consistent started_on / completed_on / progress;
  every delegated task then takes progress, start and completion from its sub-tasks by the rule
  of `followup.actions.roll_up` (mean, min, max when all are done), level by level in SQL. A
  few commune tasks are supported by a commune of another province. Task indexes and keys are
  dropped for the load and built again (timed);
- one quarterly report form of 10 indicators owned by the Central Committee, through
  `reports.actions.save_form`, obliging every kind of organisation in the tree; the last ended
  quarter opened through `reports.actions.open_period` (timed: one submission per organisation)
  then filled set-based with the columns `actions.submit` sets (status, first_submitted_at,
  submitted_at, on_time = local day of the first submission ≤ due day): ~5 % pending, ~4 %
  draft, ~1 % returned, the rest submitted and about 45 % of the cells' reports approved by
  their commune; values for every report that has some (number, percent, total = sum of its
  parts, ratio = numerator / denominator × 100 as `reports.values.computed_values`, choice,
  text);
- VACUUM (ANALYZE).

Then it measures, each beside bare SQL over psycopg (prepared statements, autocommit):

- the steering dashboard GET /tasks/dashboard/?org=<the province with most tasks> as a leader
  of that province through Django's test client (force_login; warm-up, then --requests timed):
  p50/p95/max and queries per request; `followup.queries.task_figures()` and
  `reports.queries.dashboard_progress()` alone; the bare status count of the province's subtree,
  the same grouping as task_figures written by hand, and task_figures' own compiled SQL run bare;
- the national aggregation: `reports.queries.aggregate(form, start, central path)` (what the
  period page and the API `report_aggregate` call), median and max of --runs; completeness and
  timeliness `reports.queries.node_progress()` at the centre; the bare GROUP BY of the same
  figures (and with the text answers listed, as the app does); the period page at the centre
  through the test client (p95 of --page-requests).

Writes bench/results/rollups.json (other sizes: rollups_<tasks>[_p<N>].json, or --output).
Targets (the issue): national aggregation of one report over ~200,000 organisations ≤ 2 s; a
province dashboard ≤ 500 ms.
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from benchdata import (
    RESULTS,
    bench_parser,
    national_orgs,
    on_postgresql,
    percentiles,
    result_path,
    setup_django,
    write_results,
)
from pgcluster import SETTINGS, server_version

DEFAULT_TASKS = 1_000_000
TARGETS_MS = {"national_aggregation": 2000, "province_dashboard": 500}
CENTRAL_TASKS = 30
PROVINCE_OWN_TASKS = 10
# choices.status_of in SQL ({t}: the table's alias and a dot, {today}: a parameter).
STATUS_SQL = (
    "CASE WHEN {t}completed_on IS NOT NULL AND {t}completed_on <= {t}deadline "
    "THEN 'done_on_time' WHEN {t}completed_on IS NOT NULL THEN 'done_late' "
    "WHEN {t}deadline < {today} THEN 'overdue' "
    "WHEN {t}started_on IS NOT NULL THEN 'in_progress' ELSE 'not_started' END"
)

# The Central Committee's 30 tasks: (title, source, programme key or "", months to the
# deadline from 2026-12-31; negative: a deadline already past on 2026-11-21).
CENTRAL = [
    ("Triển khai thực hiện Đề án 204 về ứng dụng công nghệ thông tin trong quản lý đảng viên",
     "Đề án 204-ĐA/TW", "de_an", 0),
    ("Số hóa hồ sơ đảng viên và cập nhật cơ sở dữ liệu đảng viên", "Đề án 204-ĐA/TW", "de_an", 6),
    ("Cấp phát thẻ đảng viên điện tử cho đảng viên trong đảng bộ", "Đề án 204-ĐA/TW", "de_an", 12),
    ("Chuẩn hóa danh mục tổ chức đảng và mã định danh", "Đề án 204-ĐA/TW", "de_an", 3),
    ("Tập huấn sử dụng phần mềm quản lý đảng viên cho cấp ủy cơ sở", "Đề án 204-ĐA/TW", "de_an",
     -2),
    ("Kết nối dữ liệu đảng viên với cơ sở dữ liệu quốc gia về dân cư", "Đề án 204-ĐA/TW",
     "de_an", 9),
    ("Triển khai sổ tay đảng viên điện tử", "Đề án 204-ĐA/TW", "de_an", 6),
    ("Đánh giá kết quả thực hiện Đề án 204 giai đoạn 1", "Đề án 204-ĐA/TW", "de_an", 12),
    ("Triển khai Nghị quyết 57-NQ/TW về đột phá phát triển khoa học, công nghệ và chuyển đổi số",
     "Nghị quyết 57-NQ/TW", "cds", 0),
    ("Xây dựng chính quyền số, chuyển đổi số trong các cơ quan Đảng", "Nghị quyết 57-NQ/TW",
     "cds", 6),
    ("Bảo đảm an toàn, an ninh mạng trong các cơ quan Đảng", "Nghị quyết 57-NQ/TW", "cds", 3),
    ("Ứng dụng chữ ký số trong văn bản của cấp ủy", "Nghị quyết 57-NQ/TW", "cds", 9),
    ("Rà soát, bổ sung quy hoạch cán bộ nhiệm kỳ 2025 - 2030 (tuyệt mật)",
     "Kết luận 12-KL/TW", "", 3),
    ("Tổ chức học tập, quán triệt Nghị quyết Đại hội XIV của Đảng", "Kế hoạch 01-KH/TW", "", 0),
    ("Sơ kết công tác kiểm tra, giám sát 6 tháng đầu năm", "Quy định 22-QĐ/TW", "", -5),
    ("Tăng cường công tác phòng, chống tham nhũng, tiêu cực", "Chỉ thị 27-CT/TW", "", 12),
    ("Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
     "Chỉ thị 05-CT/TW", "", 12),
    ("Nâng cao chất lượng sinh hoạt chi bộ", "Kết luận 18-KL/TW", "", 6),
    ("Phát triển đảng viên trong doanh nghiệp tư nhân", "Kết luận 23-KL/TW", "", 9),
    ("Thu, nộp và quản lý đảng phí theo quy định mới", "Quyết định 342-QĐ/TW", "", 3),
    ("Kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm 2026",
     "Hướng dẫn 25-HD/BTCTW", "", 1),
    ("Sắp xếp tổ chức bộ máy tinh gọn, hoạt động hiệu lực, hiệu quả", "Nghị quyết 18-NQ/TW",
     "", 6),
    ("Triển khai mô hình chính quyền địa phương hai cấp", "Kết luận 127-KL/TW", "", -1),
    ("Thực hành tiết kiệm, chống lãng phí", "Chỉ thị 27-CT/TW", "", 12),
    ("Bảo vệ nền tảng tư tưởng của Đảng trên không gian mạng", "Nghị quyết 35-NQ/TW", "", 9),
    ("Tổ chức kỷ niệm 97 năm Ngày thành lập Đảng", "Hướng dẫn 10-HD/BTGDVTW", "", 2),
    ("Trao tặng Huy hiệu Đảng đợt 3/2 và 7/11", "Quy định 54-QĐ/TW", "", 0),
    ("Rà soát đảng viên miễn sinh hoạt, xóa tên", "Hướng dẫn 12-HD/BTCTW", "", 3),
    ("Xây dựng chi bộ thôn, tổ dân phố trong sạch, vững mạnh", "Kết luận 21-KL/TW", "", 6),
    ("Đánh giá việc thực hiện quy chế dân chủ ở cơ sở", "Chỉ thị 30-CT/TW", "", 9),
]  # fmt: skip
CONFIDENTIAL_KEY = 13  # "(tuyệt mật)": confidential all the way down
PROVINCE_TASKS = [
    "Triển khai Nghị quyết Đại hội Đảng bộ tỉnh nhiệm kỳ 2025 - 2030",
    "Xây dựng nông thôn mới nâng cao, nông thôn mới kiểu mẫu",
    "Cải cách hành chính, nâng cao chỉ số năng lực cạnh tranh cấp tỉnh",
    "Phát triển hạ tầng giao thông kết nối vùng",
    "Giảm nghèo bền vững giai đoạn 2026 - 2030",
    "Phòng, chống thiên tai và ứng phó biến đổi khí hậu",
    "Thu hút đầu tư, phát triển doanh nghiệp trên địa bàn",
    "Nâng cao chất lượng giáo dục và đào tạo",
    "Bảo đảm quốc phòng, an ninh, trật tự an toàn xã hội",
    "Xây dựng đô thị văn minh, phát triển văn hóa, con người",
]  # fmt: skip
PROVINCE_PROGRAMME = "Chương trình hành động thực hiện Nghị quyết Đại hội Đảng bộ tỉnh"
PROVINCE_PROGRAMME_TASKS = 6  # the first 6 own tasks belong to it

CHOICES = ["Hoàn thành xuất sắc", "Hoàn thành tốt", "Hoàn thành", "Không hoàn thành"]
TEXTS = [
    "Hoàn thành các chỉ tiêu của quý.",
    "Chi bộ duy trì sinh hoạt định kỳ, nội dung sinh hoạt có chất lượng.",
    "Một số đảng viên chưa tham gia sinh hoạt đầy đủ do đi làm ăn xa.",
    "Đã triển khai đầy đủ các văn bản của cấp trên.",
    "Công tác phát triển đảng viên còn gặp khó khăn.",
    "Đề nghị cấp trên hỗ trợ kinh phí ứng dụng công nghệ thông tin.",
]


def hashed(expr: str, salt: int) -> str:
    """SQL: a uniform number in [0, 1) from `expr` (a bigint) and a salt; deterministic."""
    return f"((hashint8extended(({expr})::bigint, {salt}) & 9007199254740991)::float8 / 9007199254740992.0)"  # noqa: E501


def elapsed_ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


# --- other work on the machine --------------------------------------------------------------
# The machine may be shared: the CPU time that other processes (not this one, not PostgreSQL's)
# took during each timed series is recorded beside it, as a share of all the CPUs.

_TICK = os.sysconf("SC_CLK_TCK")
LAST_OTHERS: list[float] = [0.0]


def _others_ticks() -> dict[int, int]:
    """CPU ticks so far of every process but this one and the PostgreSQL server's."""
    ticks: dict[int, int] = {}
    me = os.getpid()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
        if name == "postgres":
            continue
        fields = rest.split()
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def others_share(before: dict[int, int], seconds: float) -> float:
    after = _others_ticks()
    used = sum(t - before.get(pid, 0) for pid, t in after.items() if t >= before.get(pid, 0))
    return round(used / _TICK / max(seconds, 1e-3) / (os.cpu_count() or 1), 3)


def wait_for_quiet(limit_s: float, threshold: float = 0.1) -> float:
    """Wait (at most `limit_s`) until other processes use < `threshold` of the CPUs over 3 s;
    return the share last seen."""
    began = time.perf_counter()
    while True:
        before = _others_ticks()
        time.sleep(3)
        share = others_share(before, 3)
        if share < threshold or time.perf_counter() - began > limit_s:
            return share
        print(f"  (other processes use {share:.0%} of the CPUs: waiting)", flush=True)


def figures_of(times_ms: list[float]) -> dict[str, Any]:
    p = percentiles(times_ms)
    return {"p50_ms": p["p50"], "p95_ms": p["p95"], "max_ms": round(max(times_ms), 3),
            "runs": len(times_ms), "others_cpu_share": LAST_OTHERS[0]}  # fmt: skip


def timed(call: Callable[[], object], runs: int, warmup: int = 2) -> list[float]:
    """`runs` timings (ms) of `call()` after `warmup` calls; the CPU share other processes
    took meanwhile goes to LAST_OTHERS."""
    for _ in range(warmup):
        call()
    times = []
    before, began = _others_ticks(), time.perf_counter()
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(elapsed_ms(start))
    LAST_OTHERS[0] = others_share(before, time.perf_counter() - began)
    return times


def show(
    label: str, figures: dict[str, Any], target_ms: float | None = None, extra: str = ""
) -> None:
    verdict = ""
    if target_ms is not None:
        verdict = (
            f"  {'✓' if figures['p95_ms'] <= target_ms else '✗'} (target ≤ {target_ms:.0f} ms)"
        )
    busy = figures.get("others_cpu_share", 0)
    noisy = f"  [others used {busy:.0%} of the CPUs]" if busy >= 0.05 else ""
    print(f"  {label:44} p50 {figures['p50_ms']:9.1f}  p95 {figures['p95_ms']:9.1f}  "
          f"max {figures['max_ms']:9.1f} ms{extra}{verdict}{noisy}")  # fmt: skip


OUTPUT: list[Path] = []


def save(results: dict[str, Any]) -> None:
    """Write what is measured so far (a long run keeps its figures if a later step fails)."""
    if OUTPUT:
        write_results(OUTPUT[0], results, quiet=True)


# --- data ------------------------------------------------------------------------------------


def subset_orgs(orgs_csv: Path, provinces: int) -> Path:
    """The organisation file limited to the centre and the `provinces` largest provinces."""
    lines = orgs_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    size: dict[str, int] = {}
    for line in rows:
        parts = line.split(",")[6].strip("/").split("/")
        if len(parts) >= 2:
            size[parts[1]] = size.get(parts[1], 0) + 1
    keep = set(sorted(size, key=lambda p: (-size[p], int(p)))[:provinces])
    kept = []
    for line in rows:
        parts = line.split(",")[6].strip("/").split("/")
        if len(parts) == 1 or parts[1] in keep:
            kept.append(line)
    path = Path(f"/tmp/rollups_orgs_{provinces}prov.csv")
    path.write_text(header + "".join(kept), encoding="utf-8")
    return path


def load_tasks(target: int, today: datetime.date, results: dict[str, Any]) -> None:
    """~`target` tasks over the loaded tree, set-based (see the module)."""
    from django.db import connection, transaction

    from dangso.core.text import fold
    from dangso.followup.models import Programme, Task
    from dangso.members.synthetic.load import LoadReport, indexes_deferred

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM orgs_organisation WHERE depth = 0")
        (central_id,) = cursor.fetchone()
    # The share of (cell, central task) pairs handed down, from the national tree's counts so
    # that a run on a few provinces has the same density as the national one.
    national = {0: 1, 1: 34, 2: 3_308, 3: 200_377}
    upper = (
        CENTRAL_TASKS
        + national[1] * (CENTRAL_TASKS + PROVINCE_OWN_TASKS)
        + national[2] * (CENTRAL_TASKS + PROVINCE_OWN_TASKS)
    )
    share = max(0.0, min(1.0, (target - upper) / (national[3] * CENTRAL_TASKS)))
    results["task_cell_share"] = round(share, 4)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    def step(name: str, sql: str, params: Any = None) -> int:
        start = time.perf_counter()
        cursor.execute(sql, params)
        timings[name] = round(time.perf_counter() - start, 2)
        return cursor.rowcount

    templates = []
    base = datetime.date(2026, 12, 31)
    from dangso.core.dates import add_months

    for key, (title, source, programme, months) in enumerate(CENTRAL, start=1):
        deadline = add_months(base, months) if months >= 0 else add_months(base, months - 1)
        assigned = datetime.date(2025, 9, 1) + datetime.timedelta(days=(key * 37) % 200)
        templates.append((key, title, source, fold(f"{title} {source}"), programme, deadline,
                          assigned, key == CONFIDENTIAL_KEY))  # fmt: skip
    for index, title in enumerate(PROVINCE_TASKS):
        key = CENTRAL_TASKS + 1 + index
        programme = "province" if index < PROVINCE_PROGRAMME_TASKS else ""
        deadline = add_months(base, (index % 4) * 6 - (1 if index == 9 else 0))
        assigned = datetime.date(2025, 11, 1) + datetime.timedelta(days=(key * 23) % 120)
        templates.append((key, title, "", fold(title), programme, deadline, assigned, False))
    report = LoadReport()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_task, bench_task_tpl")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_task_tpl (tkey int PRIMARY KEY, title text, "
            "source_text text, search_text text, programme text, deadline date, assigned_on date, "
            "confidential bool, programme_id bigint)"
        )
        cursor.executemany(
            "INSERT INTO bench_task_tpl VALUES (%s, %s, %s, %s, %s, %s, %s, %s, NULL)", templates
        )
        # Programmes: two of the centre, one per province for its own tasks.
        now = "now()"
        cursor.execute(
            f"INSERT INTO followup_programme (organisation_id, name, description, starts_on, "
            f"ends_on, created_by_id, created_at) VALUES "
            f"(%s, 'Đề án 204', 'Ứng dụng công nghệ thông tin trong quản lý đảng viên', "
            f"'2025-07-01', '2027-12-31', NULL, {now}), "
            f"(%s, 'Chương trình chuyển đổi số', 'Chương trình chuyển đổi số trong các cơ quan "
            f"Đảng', '2025-07-01', '2027-12-31', NULL, {now})",
            [central_id, central_id],
        )
        cursor.execute(
            f"INSERT INTO followup_programme (organisation_id, name, description, starts_on, "
            f"ends_on, created_by_id, created_at) SELECT id, %s, '', '2025-11-01', '2030-12-31', "
            f"NULL, {now} FROM orgs_organisation WHERE depth = 1",
            [PROVINCE_PROGRAMME],
        )
        cursor.execute(
            "UPDATE bench_task_tpl t SET programme_id = p.id FROM followup_programme p "
            "WHERE p.organisation_id = %s AND p.name = CASE t.programme WHEN 'de_an' THEN "
            "'Đề án 204' WHEN 'cds' THEN 'Chương trình chuyển đổi số' END",
            [central_id],
        )
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_task (id bigint PRIMARY KEY, parent_id bigint, "
            "org_id bigint NOT NULL, org_depth int NOT NULL, tkey int NOT NULL, "
            "programme_id bigint, confidential bool NOT NULL, assigned_by_id bigint NOT NULL, "
            "assigned_on date NOT NULL, deadline date NOT NULL, progress int NOT NULL DEFAULT 0, "
            "started_on date, completed_on date, has_children bool NOT NULL DEFAULT false)"
        )
        next_id = "(SELECT coalesce(max(id), 0) FROM bench_task) + row_number() OVER ({})"
        # Level 0: the centre's own tasks.
        step("centre", f"""
            INSERT INTO bench_task (id, parent_id, org_id, org_depth, tkey, programme_id,
                                    confidential, assigned_by_id, assigned_on, deadline)
            SELECT tkey, NULL, %s, 0, tkey, programme_id, confidential, %s, assigned_on, deadline
            FROM bench_task_tpl WHERE tkey <= {CENTRAL_TASKS}""",
             [central_id, central_id])  # fmt: skip
        # Level 1: each province's copy of the centre's tasks, and its own tasks.
        step("provinces", f"""
            INSERT INTO bench_task (id, parent_id, org_id, org_depth, tkey, programme_id,
                                    confidential, assigned_by_id, assigned_on, deadline)
            SELECT {next_id.format("ORDER BY o.id, c.tkey")}, c.id, o.id, 1, c.tkey,
                   c.programme_id, c.confidential, c.org_id,
                   c.assigned_on + 2 + floor({hashed("o.id * 64 + c.tkey", 1)} * 8)::int,
                   c.deadline - floor({hashed("o.id * 64 + c.tkey", 2)} * 10)::int
            FROM orgs_organisation o CROSS JOIN bench_task c
            WHERE o.depth = 1 AND c.org_depth = 0""")  # fmt: skip
        step("province_own", f"""
            INSERT INTO bench_task (id, parent_id, org_id, org_depth, tkey, programme_id,
                                    confidential, assigned_by_id, assigned_on, deadline)
            SELECT {next_id.format("ORDER BY o.id, t.tkey")}, NULL, o.id, 1, t.tkey,
                   CASE WHEN t.programme = 'province' THEN p.id END, false, o.id,
                   t.assigned_on + floor({hashed("o.id * 64 + t.tkey", 3)} * 20)::int, t.deadline
            FROM orgs_organisation o CROSS JOIN bench_task_tpl t
            JOIN followup_programme p ON p.name = %s
            WHERE o.depth = 1 AND t.tkey > {CENTRAL_TASKS} AND p.organisation_id = o.id""",
             [PROVINCE_PROGRAMME])  # fmt: skip
        # Level 2: each commune gets its province's tasks.
        step("communes", f"""
            INSERT INTO bench_task (id, parent_id, org_id, org_depth, tkey, programme_id,
                                    confidential, assigned_by_id, assigned_on, deadline)
            SELECT {next_id.format("ORDER BY o.id, p.tkey")}, p.id, o.id, 2, p.tkey,
                   p.programme_id, p.confidential, p.org_id,
                   p.assigned_on + 3 + floor({hashed("o.id * 64 + p.tkey", 4)} * 12)::int,
                   p.deadline - floor({hashed("o.id * 64 + p.tkey", 5)} * 15)::int
            FROM orgs_organisation o JOIN bench_task p ON p.org_id = o.parent_id
            WHERE o.depth = 2""")  # fmt: skip
        # Level 3: a share of the cells gets their commune's copy of a central task.
        step("cells", f"""
            INSERT INTO bench_task (id, parent_id, org_id, org_depth, tkey, programme_id,
                                    confidential, assigned_by_id, assigned_on, deadline)
            SELECT {next_id.format("ORDER BY o.id, p.tkey")}, p.id, o.id, 3, p.tkey,
                   p.programme_id, p.confidential, p.org_id,
                   p.assigned_on + 2 + floor({hashed("o.id * 64 + p.tkey", 6)} * 10)::int,
                   p.deadline - floor({hashed("o.id * 64 + p.tkey", 7)} * 20)::int
            FROM orgs_organisation o JOIN bench_task p ON p.org_id = o.parent_id
            WHERE o.depth = 3 AND p.tkey <= {CENTRAL_TASKS}
              AND {hashed("o.id * 64 + p.tkey", 8)} < %s""", [share])  # fmt: skip
        cursor.execute("ANALYZE bench_task")
        step("has_children", """
            UPDATE bench_task b SET has_children = true
            WHERE EXISTS (SELECT 1 FROM bench_task c WHERE c.parent_id = b.id)""")  # fmt: skip
        # The leaves: a status, then a deadline (≤ the parent's), start, completion and
        # progress consistent with it on `today`.
        u1, u2, u3, u4 = (hashed("id", salt) for salt in (11, 12, 13, 14))
        step("leaves", f"""
            UPDATE bench_task b SET deadline = x.dl, started_on = x.started,
                   completed_on = x.completed,
                   progress = CASE x.st WHEN 'done' THEN 100 WHEN 'late' THEN 100
                                        WHEN 'ns' THEN 0 WHEN 'ip' THEN 5 + floor(x.u3 * 90)::int
                                        ELSE CASE WHEN x.started IS NULL THEN 0
                                                  ELSE floor(x.u3 * 90)::int END END
            FROM (
              SELECT y.*,
                CASE WHEN y.st = 'done'
                     THEN y.started + floor(y.u3 * (least(y.dl, %(today)s) - y.started))::int
                     WHEN y.st = 'late'
                     THEN y.dl + 1 + floor(y.u3 * (%(today)s - y.dl - 1))::int END AS completed
              FROM (
                SELECT z.*,
                  CASE WHEN z.st = 'ns' OR (z.st = 'od' AND z.u4 < 0.2) THEN NULL
                       ELSE least(z.assigned_on + 1 + floor(z.u4 * 10)::int, z.dl) END AS started
                FROM (
                  SELECT w.*,
                    CASE WHEN w.st IN ('ip', 'ns')
                         THEN %(today)s + floor(w.u2 * (w.deadline - %(today)s + 1))::int
                         WHEN w.st IN ('late', 'od')
                         THEN least(w.assigned_on + 14, %(today)s - 1)
                              + floor(w.u2 * greatest(0, least(w.deadline, %(today)s - 1)
                                                          - w.assigned_on - 14))::int
                         ELSE greatest(w.assigned_on,
                                       w.assigned_on + 14
                                       + floor(w.u2 * (w.deadline - w.assigned_on - 14))::int)
                    END AS dl
                  FROM (
                    SELECT id, assigned_on, deadline, {u2} AS u2, {u3} AS u3, {u4} AS u4,
                      CASE WHEN deadline >= %(today)s THEN
                             CASE WHEN {u1} < 0.29 THEN 'done' WHEN {u1} < 0.34 THEN 'late'
                                  WHEN {u1} < 0.80 THEN 'ip' WHEN {u1} < 0.90 THEN 'ns'
                                  ELSE 'od' END
                           ELSE CASE WHEN {u1} < 0.70 THEN 'done' WHEN {u1} < 0.85 THEN 'late'
                                     ELSE 'od' END
                      END AS st
                    FROM bench_task WHERE NOT has_children
                  ) w
                ) z
              ) y
            ) x
            WHERE b.id = x.id""", {"today": today})  # fmt: skip
        # Delegated tasks take progress, start and completion from their sub-tasks
        # (followup.actions.roll_up), from the cells up.
        for depth in (3, 2, 1):
            step(f"roll_up_{depth}", """
                UPDATE bench_task p SET
                    progress = CASE WHEN c.open = 0 THEN 100 ELSE round(c.mean)::int END,
                    started_on = c.started,
                    completed_on = CASE WHEN c.open = 0 THEN c.completed END
                FROM (SELECT parent_id, avg(progress) AS mean, min(started_on) AS started,
                             max(completed_on) AS completed,
                             count(*) FILTER (WHERE completed_on IS NULL) AS open
                      FROM bench_task WHERE org_depth = %s GROUP BY parent_id) c
                WHERE p.id = c.parent_id""", [depth])  # fmt: skip
        with indexes_deferred("followup_task", report), transaction.atomic():
            rows = step("insert", """
                INSERT INTO followup_task (id, title, description, expected_result,
                    source_document_id, source_text, programme_id, parent_id, organisation_id,
                    lead_person_id, assigned_by_id, assigned_on, deadline, progress, started_on,
                    completed_on, confidential, reminded, search_text, created_by_id,
                    created_at, updated_at)
                SELECT b.id, t.title, '', '', NULL, t.source_text, b.programme_id, b.parent_id,
                       b.org_id, NULL, b.assigned_by_id, b.assigned_on, b.deadline, b.progress,
                       b.started_on, b.completed_on, b.confidential,
                       CASE WHEN b.completed_on IS NULL AND b.deadline < %s THEN 'overdue'
                            ELSE '' END,
                       t.search_text, NULL,
                       (b.assigned_on + time '08:30') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                       (coalesce(b.completed_on, b.started_on, b.assigned_on) + time '16:00')
                           AT TIME ZONE 'Asia/Ho_Chi_Minh'
                FROM bench_task b JOIN bench_task_tpl t USING (tkey) ORDER BY b.id""",
                [today])  # fmt: skip
            # A few commune tasks supported by a commune of another province.
            step("supporters", f"""
                WITH communes AS (
                    SELECT id, split_part(path, '/', 3) AS province,
                           row_number() OVER (ORDER BY id) AS n FROM orgs_organisation
                    WHERE depth = 2),
                total AS (SELECT count(*) AS n FROM communes)
                INSERT INTO followup_task_supporters (task_id, organisation_id)
                SELECT b.id, c.id
                FROM bench_task b JOIN orgs_organisation o ON o.id = b.org_id
                CROSS JOIN total
                JOIN communes c ON c.n = 1 + floor({hashed("b.id", 22)} * total.n)::int
                WHERE b.org_depth = 2 AND {hashed("b.id", 21)} < 0.01
                  AND c.province <> split_part(o.path, '/', 3)""")  # fmt: skip
        cursor.execute("DROP TABLE bench_task")
        from django.core.management.color import no_style

        for sql in connection.ops.sequence_reset_sql(no_style(), [Task, Programme]):
            cursor.execute(sql)
    results["tasks_load_s"] = round(time.perf_counter() - t0, 1)
    results["tasks_load_steps_s"] = timings
    results["tasks_index_build_s"] = {k.removeprefix("index:"): v
                                      for k, v in report.timings_s.items()}  # fmt: skip
    print(f"loaded {rows:,} tasks in {results['tasks_load_s']} s (cell share {share:.3f}; "
          f"indexes and keys {sum(report.timings_s.values()):.1f} s of it)")  # fmt: skip


def make_form(central: Any) -> Any:
    from dangso.core.audit import Actor
    from dangso.orgs.models import Organisation
    from dangso.reports.actions import FormSpec, IndicatorSpec, save_form
    from dangso.reports.choices import Aggregation, IndicatorKind, PeriodType

    kinds = sorted(set(Organisation.objects.values_list("kind", flat=True)))
    number, total, ratio = IndicatorKind.NUMBER, IndicatorKind.TOTAL, IndicatorKind.RATIO
    indicators = [
        IndicatorSpec("so_dang_vien", "Tổng số đảng viên", number, required=True, unit="người"),
        IndicatorSpec("dv_du_sinh_hoat", "Số đảng viên dự sinh hoạt đầy đủ", number,
                      required=True, unit="người"),
        IndicatorSpec("ty_le_du_sinh_hoat", "Tỷ lệ đảng viên dự sinh hoạt đầy đủ", ratio,
                      parts=["dv_du_sinh_hoat", "so_dang_vien"], unit="%"),
        IndicatorSpec("ket_nap_nam", "Số đảng viên nam kết nạp mới", number, unit="người"),
        IndicatorSpec("ket_nap_nu", "Số đảng viên nữ kết nạp mới", number, unit="người"),
        IndicatorSpec("ket_nap", "Tổng số đảng viên kết nạp mới", total,
                      parts=["ket_nap_nam", "ket_nap_nu"], unit="người"),
        IndicatorSpec("so_buoi_sinh_hoat", "Số buổi sinh hoạt chi bộ trong quý", number,
                      aggregation=Aggregation.AVERAGE, unit="buổi"),
        IndicatorSpec("ty_le_hoan_thanh_nv", "Tỷ lệ nhiệm vụ hoàn thành đúng hạn",
                      IndicatorKind.PERCENT, unit="%"),
        IndicatorSpec("muc_do", "Mức độ hoàn thành nhiệm vụ", IndicatorKind.CHOICE,
                      options=CHOICES),
        IndicatorSpec("danh_gia", "Đánh giá chung", IndicatorKind.TEXT),
    ]  # fmt: skip
    spec = FormSpec(
        name="Báo cáo tình hình tổ chức cơ sở đảng và đảng viên", code="bc-to-chuc-co-so",
        period_type=PeriodType.QUARTER, due_days=10, obliged_kinds=kinds,
        description="Báo cáo định kỳ hằng quý của các tổ chức đảng.",
    )  # fmt: skip
    return save_form(None, spec, indicators, owner=central, actor=Actor.system("bench"))


def fill_reports(form: Any, period: Any, today: datetime.date, results: dict[str, Any]) -> None:
    """Statuses of the opened period's submissions and the values of every report that has
    some, set-based (see the module)."""
    from django.db import connection, transaction

    from dangso.members.synthetic.load import LoadReport, indexes_deferred

    ids = dict(form.indicators.values_list("code", "id"))
    timings: dict[str, float] = {}
    report = LoadReport()
    # Local day of the first submission: ~82 % by the due day, the rest up to 35 days late
    # (never after yesterday).
    u = {salt: hashed("s.id", salt) for salt in range(31, 40)}
    latest = today - datetime.timedelta(days=1)
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(f"""
            UPDATE reports_submission s SET
                status = x.status,
                first_submitted_at = x.first_at,
                submitted_at = CASE WHEN x.status = 'returned' THEN x.first_at
                                    WHEN x.first_at IS NOT NULL AND x.u5 < 0.05
                                    THEN x.first_at + interval '2 days 3 hours'
                                    ELSE x.first_at END,
                on_time = CASE WHEN x.first_at IS NOT NULL THEN x.first_day <= %(due)s END,
                approved_at = CASE WHEN x.status = 'approved'
                                   THEN x.first_at + (1 + floor(x.u6 * 7)::int) * interval '1 day'
                              END,
                return_reason = CASE WHEN x.status = 'returned'
                                     THEN 'Số liệu chưa khớp với sổ sách, đề nghị kiểm tra lại.'
                                     ELSE '' END,
                updated_at = coalesce(x.first_at + interval '8 days', now())
            FROM (
              SELECT y.*, CASE WHEN y.status IN ('returned', 'submitted', 'approved')
                               THEN (y.first_day + time '07:30' + y.u4 * interval '10 hours')
                                    AT TIME ZONE 'Asia/Ho_Chi_Minh' END AS first_at
              FROM (
                SELECT s.id, {u[35]} AS u4, {u[36]} AS u5, {u[37]} AS u6,
                  CASE WHEN {u[31]} < 0.05 THEN 'pending' WHEN {u[31]} < 0.09 THEN 'draft'
                       WHEN {u[31]} < 0.10 THEN 'returned'
                       WHEN s.period_path ~ '^(/[0-9]+){{4}}/$' AND {u[32]} < 0.45
                       THEN 'approved' ELSE 'submitted' END AS status,
                  least(%(latest)s::date, CASE WHEN {u[33]} < 0.82
                       THEN %(end)s::date - 5
                            + floor({u[33]} / 0.82 * (%(due)s::date - %(end)s::date + 6))::int
                       ELSE %(due)s::date + 1 + floor(({u[33]} - 0.82) / 0.18 * 35)::int END)
                    AS first_day
                FROM reports_submission s
                WHERE s.form_id = %(form)s AND s.period_start = %(start)s
              ) y
            ) x
            WHERE s.id = x.id""", {"due": period.due_on, "end": period.end, "latest": latest,
                                   "form": form.pk, "start": period.start})  # fmt: skip
        timings["statuses"] = round(time.perf_counter() - start, 2)
        # Values: numbers by level (a cell's own figures are small, a commune committee's
        # larger), computed totals and ratios as computed_values() stores them.
        depth = "(length(s.period_path) - length(replace(s.period_path, '/', '')) - 2)"
        r = {salt: hashed("s.id", salt) for salt in range(41, 50)}
        values = [
            ("so_dang_vien", "b.members::numeric", "''", True),
            ("dv_du_sinh_hoat", "b.attending::numeric", "''", True),
            ("ty_le_du_sinh_hoat", "round(b.attending::numeric / b.members * 100, 4)", "''", False),
            ("ket_nap_nam", "b.men::numeric", "''", True),
            ("ket_nap_nu", "b.women::numeric", "''", False),
            ("ket_nap", "(b.men + b.women)::numeric", "''", False),
            ("so_buoi_sinh_hoat", "b.meetings::numeric", "''", False),
            ("ty_le_hoan_thanh_nv", "b.percent", "''", False),
            ("muc_do", "NULL::numeric", "b.choice", False),
            ("danh_gia", "NULL::numeric", "b.text", False),
        ]  # fmt: skip
        rows_sql = ", ".join(
            f"({ids[code]}, {number}, {text}, {'true' if in_draft else 'false'})"
            for code, number, text, in_draft in values
        )
        choices = "ARRAY[" + ", ".join("'" + c + "'" for c in CHOICES) + "]"
        texts = "ARRAY[" + ", ".join("'" + t + "'" for t in TEXTS) + "]"
        with indexes_deferred("reports_submissionvalue", report), transaction.atomic():
            start = time.perf_counter()
            cursor.execute(f"""
                INSERT INTO reports_submissionvalue (submission_id, indicator_id, number, text)
                SELECT b.id, v.indicator_id, v.number, v.text
                FROM (
                  SELECT s.id, s.status, m.members,
                         round(m.members * (0.72 + 0.28 * {r[42]}))::int AS attending,
                         floor(power({r[43]}, 3) * 4)::int AS men,
                         floor(power({r[44]}, 3) * 3)::int AS women,
                         3 + floor({r[45]} * 4)::int AS meetings,
                         round((60 + {r[46]} * 40)::numeric, 2) AS percent,
                         ({choices})[CASE WHEN {r[47]} < 0.2 THEN 1 WHEN {r[47]} < 0.7 THEN 2
                                          WHEN {r[47]} < 0.95 THEN 3 ELSE 4 END] AS choice,
                         ({texts})[1 + floor({r[48]} * {len(TEXTS)})::int] AS text
                  FROM reports_submission s
                  CROSS JOIN LATERAL (SELECT CASE {depth}
                      WHEN 3 THEN 8 + floor({r[41]} * 50)::int
                      WHEN 2 THEN 25 + floor({r[41]} * 40)::int
                      WHEN 1 THEN 40 + floor({r[41]} * 60)::int
                      ELSE 150 + floor({r[41]} * 60)::int END AS members) m
                  WHERE s.form_id = %s AND s.period_start = %s AND s.status <> 'pending'
                ) b
                CROSS JOIN LATERAL (VALUES {rows_sql}) v(indicator_id, number, text, in_draft)
                WHERE b.status <> 'draft' OR v.in_draft
                ORDER BY b.id, v.indicator_id""", [form.pk, period.start])  # fmt: skip
            results["values"] = cursor.rowcount
            timings["values"] = round(time.perf_counter() - start, 2)
    results["reports_fill_s"] = timings
    results["values_index_build_s"] = {k.removeprefix("index:"): v
                                       for k, v in report.timings_s.items()}  # fmt: skip
    print(f"filled the reports: statuses {timings['statuses']} s, {results['values']:,} values "
          f"{timings['values']} s (+ indexes {sum(report.timings_s.values()):.1f} s)")  # fmt: skip


# --- measuring -------------------------------------------------------------------------------


def run(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    orgs_csv = national_orgs(args.seed)
    if args.provinces:
        orgs_csv = subset_orgs(orgs_csv, args.provinces)
    setup_django(database_url)

    import psycopg
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from dangso.accounts.models import RoleAssignment
    from dangso.accounts.roles import Role
    from dangso.accounts.scope import forget_roles
    from dangso.core.audit import Actor
    from dangso.followup.models import Task
    from dangso.followup.queries import task_figures
    from dangso.members.synthetic.load import load_orgs
    from dangso.orgs.models import Organisation
    from dangso.reports import queries as report_queries
    from dangso.reports.actions import open_period
    from dangso.reports.models import Submission, SubmissionValue
    from dangso.reports.periods import period_containing

    warnings.filterwarnings("ignore", message="No directory at")

    # The test client renders templates: plain static storage (production's manifest comes
    # from collectstatic, a dict lookup either way) and the test client's host name.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    memory_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    today = timezone.localdate()
    results: dict[str, Any] = {
        "database": "postgresql",
        "server_version": server_version(database_url),
        "date": today.isoformat(),
        "machine": f"{os.cpu_count()} CPUs, {memory_gib} GiB, "
        f"{platform.python_implementation()} {platform.python_version()}",
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "tasks_asked": args.n,
        "provinces_kept": args.provinces or "all",
    }
    results["notes"] = NOTES
    sql = psycopg.connect(database_url, autocommit=True)
    results["server_settings"] = {
        name: sql.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
        for name in SETTINGS
    }
    results["server_settings_source"] = (
        "bench/pgcluster.py (throwaway cluster)" if not args.given_url else "the given server"
    )
    call_command("migrate", verbosity=0)
    if Task.objects.exists() or Organisation.objects.exists():
        raise SystemExit("The database is not empty: give an empty one (or no DATABASE_URL).")

    # --- data -------------------------------------------------------------------------------
    start = time.perf_counter()
    results["organisations"] = load_orgs(orgs_csv)
    results["load_orgs_s"] = round(time.perf_counter() - start, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orgs_organisation")
        cursor.execute("ANALYZE orgs_organisationversion")
        cursor.execute("SELECT kind, count(*) FROM orgs_organisation GROUP BY kind ORDER BY 2")
        results["organisations_by_kind"] = dict(cursor.fetchall())
    print(f"loaded {results['organisations']:,} organisations in {results['load_orgs_s']} s "
          f"{results['organisations_by_kind']}")  # fmt: skip
    load_tasks(args.n, today, results)
    save(results)

    central = Organisation.objects.get(depth=0)
    form = make_form(central)
    quarter = period_containing("quarter", today).previous()
    start = time.perf_counter()
    opened = open_period(form, quarter.start, Actor.system("bench"))
    results["open_period_s"] = round(time.perf_counter() - start, 1)
    period = opened.period
    results["period"] = {"start": period.start.isoformat(), "end": period.end.isoformat(),
                         "due_on": period.due_on.isoformat(),
                         "snapshot_on": period.snapshot_on.isoformat()}  # fmt: skip
    print(f"open_period({quarter.label}): {opened.created:,} submissions in "
          f"{results['open_period_s']} s")  # fmt: skip
    fill_reports(form, period, today, results)
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute("VACUUM (ANALYZE)")
        results["vacuum_analyze_s"] = round(time.perf_counter() - start, 1)
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cursor.execute(
            "SELECT sum(pg_prewarm(c.oid::regclass)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' "
            "WHERE c.relkind IN ('r', 'i') AND (c.relname LIKE 'followup_task%%' "
            "OR c.relname LIKE 'reports_%%' OR c.relname LIKE 'orgs_%%' OR c.relname LIKE 'task_%%'"
            " OR c.relname LIKE 'submission_%%')"
        )
        cursor.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
            "WHERE relname IN ('followup_task', 'reports_submission', 'reports_submissionvalue',"
            " 'orgs_organisation')"
        )
        results["table_sizes_with_indexes"] = dict(cursor.fetchall())
    results["tasks"] = Task.objects.count()
    results["submissions"] = Submission.objects.filter(form=form).count()
    results["values"] = SubmissionValue.objects.filter(submission__form=form).count()
    status_mix = sql.execute(
        f"SELECT {STATUS_SQL.format(t='', today='%s')}, count(*) FROM followup_task "
        "GROUP BY 1 ORDER BY 1", [today],
    ).fetchall()  # fmt: skip
    results["task_status_mix"] = {k: round(n / results["tasks"], 3) for k, n in status_mix}
    submission_mix = sql.execute(
        "SELECT status, count(*) FROM reports_submission GROUP BY 1 ORDER BY 1"
    ).fetchall()
    results["submission_status"] = dict(submission_mix)
    on_time = sql.execute(
        "SELECT count(*) FILTER (WHERE on_time), count(*) FILTER (WHERE NOT on_time) "
        "FROM reports_submission"
    ).fetchone()
    results["submission_on_time"] = {"on_time": on_time[0], "late": on_time[1]}  # type: ignore[index]
    print(f"data: {results['organisations']:,} organisations, {results['tasks']:,} tasks "
          f"{results['task_status_mix']}, {results['submissions']:,} submissions "
          f"{results['submission_status']}, {results['values']:,} values")  # fmt: skip
    save(results)

    # --- the province dashboard -----------------------------------------------------------------
    province_id, province_tasks = sql.execute(
        """SELECT split_part(o.path, '/', 3)::bigint, count(*) FROM followup_task t
           JOIN orgs_organisation o ON o.id = t.organisation_id WHERE o.depth >= 1
           GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"""
    ).fetchone()  # type: ignore[misc]
    province = Organisation.objects.get(pk=province_id)
    leader = User.objects.create(username=f"bench.leader.{province.pk}", first_name="Lãnh đạo")
    RoleAssignment.objects.create(user=leader, organisation=province, role=Role.LEADER)
    national = User.objects.create(username="bench.leader.central", first_name="Trung ương")
    RoleAssignment.objects.create(user=national, organisation=central, role=Role.LEADER)
    communes = Organisation.objects.filter(parent=province).count()
    cells = Organisation.objects.filter(path__startswith=province.path, depth=3).count()
    results["province"] = {"id": province.pk, "name": province.name, "path": province.path,
                           "tasks_in_subtree": province_tasks, "communes": communes,
                           "cells": cells}  # fmt: skip
    results["others_cpu_share_before"] = {"province_dashboard": wait_for_quiet(args.quiet_wait)}
    print(f"\nprovince dashboard: {province.name} ({province_tasks:,} tasks in its subtree, "
          f"{communes} communes, {cells:,} cells), as a leader of the province (ms):")  # fmt: skip

    client = Client()
    client.force_login(leader)
    url = f"/tasks/dashboard/?org={province.pk}"

    def get(client: Client, url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))

    times = timed(lambda: get(client, url), args.requests, warmup=3)
    with CaptureQueriesContext(connection) as captured:
        get(client, url)
    dashboard = figures_of(times) | {"queries": len(captured), "url": url}
    dashboard["query_ms"] = [round(float(q["time"]) * 1000, 1) for q in captured.captured_queries]
    dashboard["slowest_queries"] = sorted(
        ({"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:3000]}
         for q in captured.captured_queries), key=lambda q: -q["ms"])[:4]  # fmt: skip
    results["province_dashboard"] = dashboard
    show("GET dashboard (test client)", dashboard, TARGETS_MS["province_dashboard"],
         f"  {dashboard['queries']} queries")  # fmt: skip
    save(results)

    def app_task_figures() -> object:
        forget_roles(leader)  # a request loads the user's roles once
        return task_figures(leader, province, today)

    def app_dashboard_progress() -> object:
        forget_roles(leader)
        return report_queries.dashboard_progress(leader, province)

    results["task_figures"] = figures_of(timed(app_task_figures, args.requests))
    show("followup.queries.task_figures()", results["task_figures"])
    results["dashboard_progress"] = figures_of(timed(app_dashboard_progress, args.requests))
    show("reports.queries.dashboard_progress()", results["dashboard_progress"])
    figures = app_task_figures()
    results["task_figures_result"] = {
        "top_tasks": figures.statuses.total, "statuses": figures.statuses.counts,  # type: ignore[attr-defined]
        "progress": figures.progress, "children": len(figures.children),  # type: ignore[attr-defined]
        "programmes": {p.programme.name: [p.done, p.total] for p in figures.programmes},  # type: ignore[attr-defined]
    }  # fmt: skip

    # Bare SQL beside it.
    prefix = province.path + "%"
    status = STATUS_SQL.format(t="t.", today="%(today)s")
    status_sql = f"""
        SELECT {status} AS status, count(*), sum(t.progress)
        FROM followup_task t JOIN orgs_organisation o ON o.id = t.organisation_id
        WHERE o.path LIKE %(prefix)s GROUP BY 1"""  # fmt: skip
    # The same grouping as task_figures (status, child unit, parent's child unit, parent
    # inside), without the visibility filters (supporters, confidential grants).
    n = len(province.path)
    grouping_sql = f"""
        SELECT {status} AS status,
               split_part(substr(o.path, {n + 1}), '/', 1) AS child,
               split_part(substr(po.path, {n + 1}), '/', 1) AS parent_child,
               coalesce(po.path LIKE %(prefix)s, false) AS parent_inside,
               count(*), sum(t.progress)
        FROM followup_task t JOIN orgs_organisation o ON o.id = t.organisation_id
        LEFT JOIN followup_task p ON p.id = t.parent_id
        LEFT JOIN orgs_organisation po ON po.id = p.organisation_id
        WHERE o.path LIKE %(prefix)s AND NOT t.confidential
        GROUP BY 1, 2, 3, 4"""  # fmt: skip
    params = {"today": today, "prefix": prefix}
    results["task_status_sql"] = figures_of(
        timed(lambda: sql.execute(status_sql, params).fetchall(), args.requests)
    )
    show("bare SQL: status counts of the subtree", results["task_status_sql"])
    results["task_grouping_sql"] = figures_of(
        timed(lambda: sql.execute(grouping_sql, params).fetchall(), args.requests)
    )
    show("bare SQL: task_figures' grouping by hand", results["task_grouping_sql"])
    forget_roles(leader)
    with CaptureQueriesContext(connection) as captured:
        task_figures(leader, province, today)
    app_queries = [q["sql"] for q in captured.captured_queries]
    results["task_figures_queries"] = len(app_queries)
    grouped = max(app_queries, key=lambda q: q.count("GROUP BY") * 10_000 + len(q))
    results["task_figures_app_sql"] = figures_of(
        timed(lambda: sql.execute(grouped).fetchall(), args.requests)  # type: ignore[arg-type]
    )
    show("task_figures' own grouped SQL, run bare", results["task_figures_app_sql"])
    each: list[dict[str, Any]] = []
    for query in app_queries:
        runs = timed(lambda q=query: sql.execute(q).fetchall(), 5, warmup=1)  # type: ignore[misc]
        each.append({"median_ms": round(statistics.median(runs), 2), "sql": query[:2500]})
    results["task_figures_each_query"] = each
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + grouped)
        results["task_figures_explain"] = "\n".join(r[0] for r in cursor.fetchall())
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) " + grouping_sql.replace("%(today)s", "%s")
            .replace("%(prefix)s", "%s"), [today, prefix, prefix]
        )  # fmt: skip
        results["task_grouping_sql_explain"] = "\n".join(r[0] for r in cursor.fetchall())
    results["province_dashboard"]["ratio_to_bare_grouping"] = round(
        results["province_dashboard"]["p95_ms"] / results["task_grouping_sql"]["p95_ms"], 1
    )
    save(results)

    # --- the national aggregation --------------------------------------------------------------
    results["others_cpu_share_before"]["national"] = wait_for_quiet(args.quiet_wait)
    print(f"\nnational report at the centre ({results['submissions']:,} submissions, "
          f"{results['values']:,} values; ms):")  # fmt: skip
    root = central.path
    runs = args.runs

    def median_max(times_ms: list[float]) -> dict[str, Any]:
        return {"median_ms": round(statistics.median(times_ms), 1),
                "max_ms": round(max(times_ms), 1), "runs": len(times_ms),
                "all_ms": [round(t, 1) for t in times_ms],
                "others_cpu_share": LAST_OTHERS[0]}  # fmt: skip

    def line(label: str, figures: dict[str, Any], target: float | None = None) -> None:
        verdict = ""
        if target is not None:
            ok = figures["median_ms"] <= target and figures["max_ms"] <= target
            verdict = f"  {'✓' if ok else '✗'} (target ≤ {target:.0f} ms)"
        busy = figures.get("others_cpu_share", 0)
        noisy = f"  [others used {busy:.0%} of the CPUs]" if busy >= 0.05 else ""
        print(f"  {label:44} median {figures['median_ms']:9.1f}  max {figures['max_ms']:9.1f} ms"
              f"{verdict}{noisy}")  # fmt: skip

    aggregation = median_max(
        timed(lambda: report_queries.aggregate(form, period.start, root), runs, warmup=1)
    )
    with CaptureQueriesContext(connection) as captured:
        rows = report_queries.aggregate(form, period.start, root)
    aggregation["queries"] = len(captured)
    aggregation["query_ms"] = [round(float(q["time"]) * 1000, 1) for q in captured.captured_queries]
    results["national_aggregation"] = aggregation
    results["national_aggregation_ms"] = aggregation["median_ms"]
    line("reports.queries.aggregate() at the centre", aggregation,
         TARGETS_MS["national_aggregation"])  # fmt: skip
    results["national_aggregate_values"] = {
        row.indicator.code: (str(row.value) if row.value is not None else
                             dict(row.choices) if row.choices else f"{len(row.texts)} texts")
        for row in rows
    }  # fmt: skip
    results["national_aggregation_approved_only"] = median_max(
        timed(lambda: report_queries.aggregate(form, period.start, root, approved_only=True),
              runs, warmup=1)
    )  # fmt: skip
    line("aggregate(approved_only=True)", results["national_aggregation_approved_only"])
    progress = median_max(timed(lambda: report_queries.node_progress(period, root), runs))
    results["national_completeness"] = progress
    results["national_completeness_ms"] = progress["median_ms"]
    line("node_progress() (completeness, timeliness)", progress)
    total = report_queries.node_progress(period, root).total
    results["national_completeness_result"] = {
        "expected": total.expected, "received": total.received, "on_time": total.on_time,
        "approved": total.approved, "completeness": total.completeness,
        "timeliness": total.timeliness,
    }  # fmt: skip
    both = median_max(timed(lambda: (report_queries.node_progress(period, root),
                                     report_queries.aggregate(form, period.start, root)),
                            runs, warmup=0))  # fmt: skip
    results["national_report_total"] = both
    line("node_progress() + aggregate()", both)
    save(results)

    # Bare SQL: the same figures by hand (numbers summed and averaged, choices counted, the
    # ratio of sums), and with the text answers listed as the app lists them.
    ids = dict(form.indicators.values_list("code", "id"))
    grouped_ids = [i for code, i in ids.items() if code != "danh_gia"]
    agg_sql = f"""
        WITH g AS (
          SELECT v.indicator_id, v.text, sum(v.number) AS total, avg(v.number) AS average,
                 count(*) AS n
          FROM reports_submissionvalue v JOIN reports_submission s ON s.id = v.submission_id
          WHERE s.form_id = %(form)s AND s.period_start = %(start)s
            AND s.period_path LIKE %(prefix)s AND s.status IN ('submitted', 'approved')
            AND v.indicator_id = ANY(%(ids)s)
          GROUP BY v.indicator_id, v.text)
        SELECT g.*,
               (SELECT 100 * max(total) FILTER (WHERE indicator_id = {ids["dv_du_sinh_hoat"]})
                       / nullif(max(total) FILTER (WHERE indicator_id = {ids["so_dang_vien"]}), 0)
                FROM g) AS ratio
        FROM g"""  # fmt: skip
    texts_sql = """
        SELECT v.indicator_id, o.name, v.text
        FROM reports_submissionvalue v JOIN reports_submission s ON s.id = v.submission_id
        JOIN orgs_organisation o ON o.id = s.organisation_id
        WHERE s.form_id = %(form)s AND s.period_start = %(start)s
          AND s.period_path LIKE %(prefix)s AND s.status IN ('submitted', 'approved')
          AND v.indicator_id = %(text_id)s
        ORDER BY s.period_path LIMIT 200"""  # fmt: skip
    agg_params = {"form": form.pk, "start": period.start, "prefix": root + "%",
                  "ids": grouped_ids, "text_id": ids["danh_gia"]}  # fmt: skip
    bare = median_max(timed(lambda: sql.execute(agg_sql, agg_params).fetchall(), runs, warmup=1))
    results["national_aggregation_sql"] = bare
    line("bare SQL: GROUP BY indicator", bare)
    bare_texts = median_max(timed(lambda: (sql.execute(agg_sql, agg_params).fetchall(),
                                           sql.execute(texts_sql, agg_params).fetchall()),
                                  runs, warmup=1))  # fmt: skip
    results["national_aggregation_sql_with_texts"] = bare_texts
    line("bare SQL: GROUP BY + the 200 texts listed", bare_texts)
    results["national_aggregation_ratio_to_bare"] = round(
        aggregation["median_ms"] / bare["median_ms"], 2
    )
    results["national_aggregation_ratio_to_bare_with_texts"] = round(
        aggregation["median_ms"] / bare_texts["median_ms"], 2
    )
    progress_sql = """
        SELECT split_part(substr(period_path, %(n)s), '/', 1) AS child, count(*),
               count(*) FILTER (WHERE status IN ('submitted', 'approved')),
               count(*) FILTER (WHERE status IN ('submitted', 'approved') AND on_time),
               count(*) FILTER (WHERE status = 'approved')
        FROM reports_submission
        WHERE form_id = %(form)s AND period_start = %(start)s AND period_path LIKE %(prefix)s
        GROUP BY 1"""  # fmt: skip
    progress_params = {**agg_params, "n": len(root) + 1}
    results["national_completeness_sql"] = median_max(
        timed(lambda: sql.execute(progress_sql, progress_params).fetchall(), runs, warmup=1)
    )
    line("bare SQL: completeness GROUP BY child", results["national_completeness_sql"])
    results["national_completeness_ratio_to_bare"] = round(
        progress["median_ms"] / results["national_completeness_sql"]["median_ms"], 2
    )
    with connection.cursor() as cursor:
        explains = {}
        for query in captured.captured_queries:
            if "GROUP BY" in query["sql"] or "LIMIT" in query["sql"]:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                key = "group_by" if "GROUP BY" in query["sql"] else "texts"
                explains[key] = "\n".join(r[0] for r in cursor.fetchall())
                explains[f"{key}_sql"] = query["sql"][:3000]
        results["national_aggregation_explain"] = explains
    print(f"  ratio app / bare: aggregate {results['national_aggregation_ratio_to_bare']} "
          f"(with texts {results['national_aggregation_ratio_to_bare_with_texts']}), "
          f"completeness {results['national_completeness_ratio_to_bare']}")  # fmt: skip
    save(results)

    # --- the period page at the centre ----------------------------------------------------------
    results["others_cpu_share_before"]["pages"] = wait_for_quiet(args.quiet_wait)
    page_client = Client()
    page_client.force_login(national)
    page_url = f"/reports/forms/{form.pk}/periods/{period.start.isoformat()}/{central.pk}/"
    start = time.perf_counter()
    get(page_client, page_url)
    first_ms = elapsed_ms(start)
    if first_ms < 30_000:
        times = timed(lambda: get(page_client, page_url), args.page_requests, warmup=1)
        with CaptureQueriesContext(connection) as captured:
            get(page_client, page_url)
        page = figures_of(times) | {"queries": len(captured), "url": page_url,
                                    "first_ms": round(first_ms, 1)}  # fmt: skip
        page["query_ms"] = [round(float(q["time"]) * 1000, 1) for q in captured.captured_queries]
        results["national_period_page"] = page
        show("GET period page at the centre", page, TARGETS_MS["national_aggregation"],
             f"  {page['queries']} queries")  # fmt: skip
    else:
        results["national_period_page"] = {"first_ms": round(first_ms, 1), "skipped": True}
    # The province dashboard again, after the national work (is it stable?), and the
    # national leader's dashboard (the whole tree's tasks and reports), a few times.
    again = figures_of(timed(lambda: get(client, url), args.requests, warmup=1))
    results["province_dashboard_again"] = again
    show("GET province dashboard again", again)
    if args.national_requests:
        national_url = f"/tasks/dashboard/?org={central.pk}"
        times = timed(lambda: get(page_client, national_url), args.national_requests, warmup=1)
        with CaptureQueriesContext(connection) as captured:
            get(page_client, national_url)
        results["national_dashboard"] = figures_of(times) | {
            "queries": len(captured), "url": national_url,
            "query_ms": [round(float(q["time"]) * 1000, 1) for q in captured.captured_queries],
        }  # fmt: skip
        show("GET national dashboard (centre leader)", results["national_dashboard"])
    reset_queries()
    sql.close()
    return results


NOTES = [
    "Timings are wall-clock in this process. Pages go through Django's test client (all the "
    "middleware, session, templates; no network, no gunicorn); *_sql is bare psycopg with "
    "prepared statements over TCP 127.0.0.1; *_app_sql is the app's own compiled SQL run bare.",
    "Static storage is switched to the plain StaticFilesStorage in this process (the manifest "
    "storage of DEBUG=False needs collectstatic); everything else is the production settings.",
    "Task statuses are relative to the day of the run (timezone.localdate()); the reporting "
    "period is the last quarter that ended before it.",
    "All tables and indexes are pre-warmed (pg_prewarm) and fit in shared_buffers: hot figures.",
    "task_grouping_sql is task_figures' grouping written by hand without the visibility filters "
    "(supporters subquery, confidential grants), keeping only NOT confidential.",
    "others_cpu_share: the CPU time processes other than this one and PostgreSQL's took during a "
    "series, as a share of all the CPUs (the machine may be shared); before each part the run "
    "waits up to --quiet-wait seconds for it to fall under 10 %.",
    "The test client runs in one Python process with the garbage collector on: a full "
    "collection now and then adds ~50–150 ms to one request (part of the p95 tail).",
]


def main() -> None:
    parser = bench_parser(__doc__, n=DEFAULT_TASKS)
    parser.add_argument("--tasks", dest="n", type=int, default=argparse.SUPPRESS,
                        help=f"tasks to make (same as --n; default {DEFAULT_TASKS:,})")  # fmt: skip
    parser.add_argument("--provinces", type=int, default=0,
                        help="keep the N largest provinces only (0: all)")  # fmt: skip
    parser.add_argument("--requests", type=int, default=30,
                        help="timed dashboard requests (and calls of each function)")  # fmt: skip
    parser.add_argument("--runs", type=int, default=5, help="runs of the national aggregation")
    parser.add_argument("--page-requests", type=int, default=10)
    parser.add_argument("--national-requests", type=int, default=5,
                        help="timed requests of the national dashboard (0: skip)")  # fmt: skip
    parser.add_argument("--database-url", default="",
                        help="an empty PostgreSQL database (else a throwaway cluster)")  # fmt: skip
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--quiet-wait", type=float, default=300,
                        help="seconds at most to wait before each series of measurements "
                             "for other processes to leave the CPUs")  # fmt: skip
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    args.given_url = os.environ.get("DATABASE_URL", "").startswith("postgres")
    if args.output is not None:
        OUTPUT.append(args.output)
    elif args.provinces:
        OUTPUT.append(RESULTS / f"rollups_{args.n}_p{args.provinces}.json")
    else:
        OUTPUT.append(result_path("rollups", args.n, DEFAULT_TASKS))
    results = on_postgresql(lambda url: run(args, url))
    write_results(OUTPUT[0], results, quiet=True)
    print(f"written {OUTPUT[0]}")


if __name__ == "__main__":
    main()
