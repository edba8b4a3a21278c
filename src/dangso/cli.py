"""The `dangso` command: Django's management commands under one name.

`dangso demo`, `dangso audit verify`, `dangso token create USERNAME`, `dangso runserver`, …
Commands with a space in their name map to Django commands with a dash or an argument.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangso.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dangso", *sys.argv[1:]])


if __name__ == "__main__":
    main()
