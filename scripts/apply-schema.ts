/**
 * `tsx scripts/apply-schema.ts <DATABASE_URL>`: brings an empty database to the state the local
 * stack and the Supabase CLI give it (our Supabase-like bootstrap, then every migration), without
 * the demo seed. CI runs it before the pgTAP suite (scripts/run-pgtap.sh).
 */
import { applySchema } from '../supabase/local/db.js';

const url = process.argv[2] ?? process.env['DATABASE_URL'];
if (!url) {
  console.error('usage: tsx scripts/apply-schema.ts <DATABASE_URL> (or set DATABASE_URL)');
  process.exit(2);
}
try {
  await applySchema(url);
  console.log('bootstrap and migrations applied');
} catch (error) {
  console.error('applying the schema failed:', error instanceof Error ? error.message : error);
  process.exit(1);
}
