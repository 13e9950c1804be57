#!/usr/bin/env bash
# Runs the pgTAP suite (supabase/tests/*.test.sql) the way `supabase test db` does, on a database
# that already has our bootstrap and migrations (scripts/apply-schema.ts):
#   scripts/run-pgtap.sh <superuser DATABASE_URL> [test URL]
# The superuser URL creates the pgtap extension in the `extensions` schema; the tests then run as
# the test URL's role, by default `postgres` (password `postgres`, as our bootstrap and the
# Supabase CLI's local database set it), which is not a superuser on Supabase either.
# Needs pg_prove (Debian: libtap-parser-sourcehandler-pgtap-perl) and the server's pgTAP
# (Debian: postgresql-<major>-pgtap).
set -euo pipefail
cd "$(dirname "$0")/.."

admin_url=${1:-${DATABASE_URL:-}}
if [ -z "$admin_url" ]; then
  echo "usage: scripts/run-pgtap.sh <DATABASE_URL> [test URL]" >&2
  exit 2
fi
test_url=${2:-$(node -e 'const u = new URL(process.argv[1]); u.username = "postgres"; u.password = "postgres"; console.log(u.toString())' "$admin_url")}

command -v pg_prove >/dev/null || { echo "pg_prove not found (apt-get install libtap-parser-sourcehandler-pgtap-perl)" >&2; exit 1; }
command -v psql >/dev/null || { echo "psql not found (apt-get install postgresql-client)" >&2; exit 1; }

psql "$admin_url" -v ON_ERROR_STOP=1 -q -c 'set client_min_messages = warning' -c 'create extension if not exists pgtap with schema extensions'
shopt -s nullglob
tests=(supabase/tests/*.test.sql)
[ ${#tests[@]} -gt 0 ] || { echo "no tests in supabase/tests" >&2; exit 1; }
# Each file opens its own transaction and rolls it back; ON_ERROR_STOP turns a SQL error into a failure.
pg_prove --dbname "$test_url" --set ON_ERROR_STOP=1 --failures "${tests[@]}"
