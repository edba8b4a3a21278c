from django.db import migrations

from dangso.core.db import postgres_only

# The runs of a folded name's words, each from one word to the end, as lexemes:
# 'nguyen van dung' → 'nguyen_van_dung' 'van_dung' 'dung'. A search for the words typed so far
# is then one prefix lookup in a GIN index ('van_du':*), however common each word is on its
# own. Punctuation separates words as `members.models.name_words` does.
FUNCTION = r"""
CREATE OR REPLACE FUNCTION member_name_runs(name text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
  words text[] := array_remove(string_to_array(translate(name, '''-.,()/', '       '), ' '), '');
  runs text[] := '{}';
BEGIN
  FOR i IN 1 .. coalesce(array_length(words, 1), 0) LOOP
    runs := runs || array_to_string(words[i:], '_');
  END LOOP;
  RETURN array_to_tsvector(runs);
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("members", "0003_merged_records")]

    operations = [
        postgres_only(
            FUNCTION
            + "CREATE INDEX member_name_runs ON members_member USING gin "
            "(member_name_runs(name_folded));",
            "DROP INDEX IF EXISTS member_name_runs; DROP FUNCTION IF EXISTS member_name_runs(text);",
        ),
    ]
