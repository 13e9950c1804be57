// `pasabay-chat doctor`: checks over HTTP and WebSocket, with supabase-js, that a live Supabase
// project has what the elements need. Each check prints ✓ or ✗ with what to fix; any ✗ makes the
// exit code 1. It signs in one anonymous user (deleted again when a service key is given).
/* global fetch, AbortSignal -- Node 20's built-ins; the repository's lint config lists only a few globals for .mjs */
import { randomUUID } from 'node:crypto';
import { clearTimeout, setTimeout } from 'node:timers';
import { createClient } from '@supabase/supabase-js';

export const HELP = `Usage: pasabay-chat doctor --url <SUPABASE_URL> --key <anon key> [--service-key <key>]

Checks a live Supabase project for Pasabay Chat: the tables and RPCs of the migrations over the
REST API, anonymous sign-ins (guest mode), Realtime private channels (your own user:<id> topic
joins, someone else's is refused) and, with the service key, end to end: a new membership and a
new message reach the browser through Broadcast from Database, and the message as a Postgres
Change too. Signs in one anonymous user to do so; with --service-key the conversation it uses is
deleted again, and so is the user where the Auth admin API allows.
Exit code 0 when every check passes, 1 otherwise.

Options:
  --url <url>           Project URL, e.g. https://YOUR-PROJECT.supabase.co  (env SUPABASE_URL)
  --key <key>           Anon / publishable key                              (env SUPABASE_ANON_KEY)
  --service-key <key>   Service role / secret key, optional; never ship it  (env SUPABASE_SERVICE_ROLE_KEY)
  --timeout <seconds>   How long to wait for each network answer (default 10)
  -h, --help            Show this help
`;

export const TABLES = [
  'profiles',
  'conversations',
  'conversation_members',
  'messages',
  'message_reactions',
  'meetings',
  'meeting_participants',
  'organizations',
  'organization_members',
  'message_attachments',
];

// RPCs the elements call, each with arguments that only probe: ids nobody has, so the database
// refuses (or does nothing) and no row is written. Only "function not found" means missing.
const unknownId = '00000000-0000-4000-8000-000000000000';
export const RPC_PROBES = {
  start_direct_conversation: { other_user_id: unknownId },
  create_group_conversation: { title: 'pasabay-chat doctor', member_ids: [unknownId] },
  get_or_create_conversation: { external_ref: 'pasabay-chat-doctor', member_ids: [unknownId] },
  mark_conversation_read: { conversation_id: unknownId },
  send_typing: { conversation_id: unknownId, is_typing: false },
  join_meeting: { meeting_id: unknownId },
  leave_meeting: { meeting_id: unknownId },
  update_meeting_state: { meeting_id: unknownId, is_muted: true },
  invite_to_meeting: { meeting_id: unknownId, user_ids: [unknownId] },
  conversation_list: { max_rows: 1 },
  my_unread_mentions: { conversation_id: unknownId },
  open_meeting_conversation: { meeting_id: unknownId },
  send_meeting_reaction: { meeting_id: unknownId, reaction: '👍' },
  start_meeting: { meeting_id: unknownId },
  end_meeting: { meeting_id: unknownId },
  lower_hand: { meeting_id: unknownId, user_id: unknownId },
  remove_participant: { meeting_id: unknownId, user_id: unknownId },
  report_connection_quality: { meeting_id: unknownId, quality: 'good' },
};

const JOIN_ERROR_PAUSE_MS = 6000;
const MIGRATE = 'run `npx pasabay-chat init`, then `supabase db push`';

/** → exit code */
export async function doctor({ url, key, serviceKey, timeout, log = console.log }) {
  const report = new Report(log);
  const waitMs = Number(timeout ?? 10) * 1000;
  if (!url || !key) {
    report.fail('Project URL and anon key', 'pass --url and --key, or set SUPABASE_URL and SUPABASE_ANON_KEY');
    return report.exitCode();
  }
  if (!isHttpUrl(url)) {
    report.fail(`Project URL "${url}"`, 'use the https://YOUR-PROJECT.supabase.co form (Project Settings → API)');
    return report.exitCode();
  }
  if (!Number.isFinite(waitMs) || waitMs <= 0) {
    report.fail(`--timeout "${timeout}"`, 'give a number of seconds greater than 0');
    return report.exitCode();
  }
  log(`Checking ${url}\n`);

  const options = {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // Realtime answers a refused join only after a pause of about 5 s (its back-off against retry loops).
    realtime: { timeout: waitMs + JOIN_ERROR_PAUSE_MS },
    global: { fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(waitMs) }) },
  };
  const client = createClient(url, key, options);
  const service = serviceKey ? createClient(url, serviceKey, options) : undefined;
  try {
    if (!(await checkAuthService(report, url, key, waitMs))) return report.exitCode();
    const user = await checkAnonymousSignIn(report, client);
    await checkTables(report, client);
    await checkRpcs(report, client, user !== undefined);
    if (user) {
      const own = await checkRealtime(report, client, user, waitMs);
      if (service && own) await checkBroadcastFromDatabase(report, client, service, own, user, waitMs);
      else if (!service) report.skip('Broadcast from Database', 'pass --service-key to check it end to end');
      if (service) await removeUser(report, service, user);
    } else {
      report.skip('Realtime private channels', 'needs the anonymous sign-in above');
    }
  } finally {
    await client.removeAllChannels().catch(() => undefined);
    client.realtime.disconnect();
    if (service) service.realtime.disconnect();
  }
  log('');
  log(report.failures === 0 ? 'All checks passed.' : `${report.failures} check(s) failed.`);
  return report.exitCode();
}

class Report {
  failures = 0;
  constructor(log) {
    this.log = log;
  }
  pass(what) {
    this.log(`✓ ${what}`);
  }
  fail(what, fix) {
    this.failures += 1;
    this.log(`✗ ${what}\n    fix: ${fix}`);
  }
  skip(what, why) {
    this.log(`- ${what} not checked: ${why}`);
  }
  note(what) {
    this.log(`  ${what}`);
  }
  exitCode() {
    return this.failures === 0 ? 0 : 1;
  }
}

/** The Auth service answers and accepts the key (its /settings endpoint needs only the apikey). */
async function checkAuthService(report, url, key, waitMs) {
  let response;
  try {
    response = await fetch(new URL('auth/v1/settings', url.endsWith('/') ? url : `${url}/`), {
      headers: { apikey: key },
      signal: AbortSignal.timeout(waitMs),
    });
  } catch (error) {
    report.fail(`Cannot reach ${url} (${describe(error)})`, 'check the project URL and that the project is running');
    return false;
  }
  if (response.status === 401 || response.status === 403) {
    const body = await response.json().catch(() => ({}));
    report.fail(
      `The API key is refused (${response.status}${body.message ? `: ${body.message}` : ''})`,
      "use the project's anon (publishable) key from Project Settings → API",
    );
    return false;
  }
  if (!response.ok) {
    report.fail(
      `Auth answered ${response.status} at /auth/v1/settings`,
      'check that the URL is a Supabase project URL',
    );
    return false;
  }
  report.pass('Auth is reachable and accepts the key');
  return true;
}

async function checkAnonymousSignIn(report, client) {
  const { data, error } = await client.auth.signInAnonymously({
    options: { data: { display_name: 'pasabay-chat doctor' } },
  });
  if (error || !data.session || !data.user) {
    report.fail(
      `Anonymous sign-in failed (${error?.message ?? 'no session'})`,
      'enable anonymous sign-ins (Authentication → Sign In / Providers, or enable_anonymous_sign_ins = true in supabase/config.toml); guest mode needs them',
    );
    return undefined;
  }
  report.pass('Anonymous sign-ins are enabled (guest mode works)');
  return { id: data.user.id, token: data.session.access_token };
}

async function checkTables(report, client) {
  const answers = await Promise.all(TABLES.map((table) => client.from(table).select('*').limit(0)));
  const missing = TABLES.flatMap((table, index) => {
    const { error } = answers[index];
    return error ? [`${table} (${error.code ?? ''} ${error.message})`.trim()] : [];
  });
  if (missing.length === 0) report.pass(`Tables reachable over REST: ${TABLES.join(', ')}`);
  else
    report.fail(
      `Tables not reachable over REST: ${missing.join('; ')}`,
      `${MIGRATE}; keep \`public\` in the API's exposed schemas`,
    );
}

async function checkRpcs(report, client, signedIn) {
  const probes = Object.entries(RPC_PROBES);
  const answers = await Promise.all(probes.map(([name, args]) => client.rpc(name, args)));
  const missing = probes.flatMap(([name], index) => {
    const { error } = answers[index];
    // PostgREST: PGRST202 = no such function (or other argument names), 42883 = undefined function.
    if (error && (error.code === 'PGRST202' || error.code === '42883')) return [name];
    // No code at all: the request itself failed (network, timeout), so presence is unknown.
    if (error && !error.code) return [`${name} (${error.message})`];
    return [];
  });
  const as = signedIn ? '' : ' (as anon)';
  if (missing.length === 0) report.pass(`RPCs present${as}: ${Object.keys(RPC_PROBES).join(', ')}`);
  else report.fail(`RPCs missing: ${missing.join(', ')}`, `${MIGRATE} (a newer package may ship new migrations)`);
}

/** Joins a private channel; resolves with the final status and the channel. */
function joinPrivate(client, topic, waitMs, bind) {
  const channel = client.channel(topic, { config: { private: true } });
  bind?.(channel);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ status: 'TIMED_OUT', channel }), waitMs + JOIN_ERROR_PAUSE_MS + 1000);
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED' || status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED') {
        clearTimeout(timer);
        resolve({ status, error, channel });
      }
    });
  });
}

/** → the joined own `user:<id>` channel (and its received events), or undefined. */
async function checkRealtime(report, client, user, waitMs) {
  await client.realtime.setAuth(user.token);
  const received = [];
  const own = await joinPrivate(client, `user:${user.id}`, waitMs, (channel) =>
    channel.on('broadcast', { event: '*' }, (message) => received.push(message)),
  );
  if (own.status !== 'SUBSCRIBED') {
    report.fail(
      `Realtime: joining your own private topic user:<id> gave ${own.status}${own.error ? ` (${own.error.message})` : ''}`,
      own.status === 'TIMED_OUT'
        ? 'check that Realtime is enabled and reachable at <url>/realtime/v1'
        : `the realtime.messages policies are missing: ${MIGRATE}`,
    );
    return undefined;
  }
  report.pass('Realtime: your own private topic user:<id> joins');

  const other = await joinPrivate(client, `user:${randomUUID()}`, waitMs);
  if (other.status === 'SUBSCRIBED') {
    report.fail(
      "Realtime: someone else's private topic user:<id> was joined",
      'private channels are not authorized: remove extra policies on realtime.messages and keep "Allow public access" off in Realtime settings',
    );
  } else {
    report.pass("Realtime: someone else's private topic is refused");
  }
  await client.removeChannel(other.channel);
  return { ...own, received };
}

/**
 * The service role adds the user to a new conversation: a trigger must tell them on user:<id>.
 * Then the user sends a message there: it must reach conversation:<id> both as the database's
 * broadcast and as a Postgres Change (the supabase_realtime publication). The conversation and
 * its message are deleted afterwards.
 */
async function checkBroadcastFromDatabase(report, client, service, own, user, waitMs) {
  const created = await service
    .from('conversations')
    .insert({ kind: 'group', title: 'pasabay-chat doctor' })
    .select('id')
    .single();
  if (created.error) {
    report.fail(
      `Broadcast from Database: the service key could not create a conversation (${created.error.message})`,
      'check --service-key (Project Settings → API, service_role / secret key)',
    );
    return;
  }
  const conversationId = created.data.id;
  try {
    const member = await service
      .from('conversation_members')
      .insert({ conversation_id: conversationId, user_id: user.id });
    if (member.error) {
      report.fail(`Broadcast from Database: adding a member failed (${member.error.message})`, MIGRATE);
      return;
    }
    const arrived = () =>
      own.received.some(
        (message) => message.event === 'conversation' && message.payload?.conversation_id === conversationId,
      );
    if (await until(arrived, waitMs))
      report.pass('Broadcast from Database: a new membership reached user:<id> through Realtime');
    else
      report.fail(
        'Broadcast from Database: no "conversation" event arrived on user:<id>',
        `the broadcast triggers are missing (${MIGRATE}), or Realtime is not replicating realtime.messages`,
      );
    await checkMessageDelivery(report, client, conversationId, waitMs);
  } finally {
    await service.from('conversations').delete().eq('id', conversationId);
  }
}

/** A member's message reaches conversation:<id> as a broadcast and as a Postgres Change. */
async function checkMessageDelivery(report, client, conversationId, waitMs) {
  const broadcasts = [];
  const changes = [];
  const joined = await joinPrivate(client, `conversation:${conversationId}`, waitMs, (channel) => {
    channel.on('broadcast', { event: 'message' }, (message) => broadcasts.push(message));
    channel.on(
      'postgres_changes',
      { event: 'INSERT', schema: 'public', table: 'messages', filter: `conversation_id=eq.${conversationId}` },
      (change) => changes.push(change),
    );
  });
  if (joined.status !== 'SUBSCRIBED') {
    report.fail(
      `Realtime: a member could not join conversation:<id> (${joined.status}${joined.error ? `: ${joined.error.message}` : ''})`,
      `the realtime.messages policies or the supabase_realtime publication are missing: ${MIGRATE}`,
    );
    return;
  }
  const sent = await client
    .from('messages')
    .insert({ conversation_id: conversationId, body: 'pasabay-chat doctor' })
    .select('id')
    .single();
  if (sent.error) {
    report.fail(`A member could not send a message (${sent.error.message})`, MIGRATE);
    return;
  }
  const id = sent.data.id;
  const broadcast = await until(() => broadcasts.some((message) => message.payload?.record?.id === id), waitMs);
  if (broadcast) report.pass('Broadcast from Database: a new message reached conversation:<id>');
  else
    report.fail(
      'Broadcast from Database: the new message did not arrive on conversation:<id>',
      `the message triggers are missing: ${MIGRATE}`,
    );
  const change = await until(() => changes.some((payload) => payload.new?.id === id), waitMs);
  if (change) report.pass('Postgres Changes: the new message arrived (public.messages is in supabase_realtime)');
  else
    report.fail(
      'Postgres Changes: the new message did not arrive (only needed for realtime="postgres-changes")',
      `add public.messages to the supabase_realtime publication: ${MIGRATE}`,
    );
  await client.removeChannel(joined.channel);
}

/** Polls `condition` every 100 ms for up to `ms`; → whether it became true. */
async function until(condition, ms) {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return condition();
}

async function removeUser(report, service, user) {
  const { error } = await service.auth.admin.deleteUser(user.id);
  if (error) report.note(`(could not delete the anonymous test user ${user.id}: ${error.message})`);
}

function isHttpUrl(text) {
  try {
    const parsed = new URL(text);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}

function describe(error) {
  const cause = error?.cause?.code ?? error?.cause?.message;
  return cause ? `${error.message}: ${cause}` : String(error?.message ?? error);
}
