"""`dangso worker`: run background jobs (member imports, checks) from the database queue.

A thin wrapper over django-tasks-db's `db_worker`: first it queues again the imports whose
worker died in the middle (see `imports.tasks.recover_stalled_imports`), then it works the
queue. Stop it with SIGTERM or Ctrl+C: the task in hand finishes first.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from dangso.imports.tasks import recover_stalled_imports


class Command(BaseCommand):
    help = "Run background jobs (member imports, checks) from the database queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Run the jobs waiting now, then exit."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at the queue."
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many.")
        parser.add_argument("--queue-name", default="default", help="Queues, comma-separated.")
        parser.add_argument("--worker-id", default=None, help="A unique name for this worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        recovered = recover_stalled_imports()
        if recovered:
            self.stderr.write(
                _("Imports queued again after a worker stopped in the middle: %(ids)s")
                % {"ids": ", ".join(str(pk) for pk in recovered)}
            )
        worker_options: dict[str, Any] = {
            "batch": options["batch"],
            "interval": options["interval"],
            "queue_name": options["queue_name"],
            "reload": False,
            "startup_delay": False,
            "verbosity": options["verbosity"],
        }
        if options["max_tasks"]:
            worker_options["max_tasks"] = options["max_tasks"]
        if options["worker_id"]:
            worker_options["worker_id"] = options["worker_id"]
        call_command("db_worker", **worker_options)
