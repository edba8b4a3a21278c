from django.db import migrations

from dangso.core.db import postgres_only

# The application only ever inserts into the audit log. On PostgreSQL the database itself
# refuses UPDATE, DELETE and TRUNCATE, so that an application bug or an injected statement
# cannot rewrite history; someone who disables the trigger is still caught by the hash chain.
FORWARD = """
CREATE FUNCTION dangso_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON core_auditentry
  FOR EACH ROW EXECUTE FUNCTION dangso_audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON core_auditentry
  FOR EACH STATEMENT EXECUTE FUNCTION dangso_audit_append_only();
"""
REVERSE = """
DROP TRIGGER IF EXISTS audit_append_only ON core_auditentry;
DROP TRIGGER IF EXISTS audit_no_truncate ON core_auditentry;
DROP FUNCTION IF EXISTS dangso_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0002_org_path_prefix_index")]

    operations = [postgres_only(FORWARD, REVERSE)]
