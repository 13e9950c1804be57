/**
 * The project workflow around the CLI. supabase/config.toml, for Supabase CLI users (`supabase
 * start`, `db reset`, `test db`): it parses as TOML, uses only keys the CLI's own `supabase init`
 * template defines (a misspelt key is silently ignored by the CLI, so a typo would quietly turn a
 * setting off), and sets what the elements and the demo need. And the script-tag demo page, which
 * must follow the stack to whatever port it runs on.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'smol-toml';
import { REPO_ROOT } from '../../supabase/local/db.js';
import { startDemoServer } from '../../supabase/local/demo-server.js';

const SUPABASE_DIR = path.join(REPO_ROOT, 'supabase');

/**
 * Sections and keys of the Supabase CLI's config template (supabase/cli,
 * pkg/config/templates/config.toml) that this file may use.
 */
const CLI_KEYS: Record<string, string[]> = {
  '': ['project_id'],
  api: ['enabled', 'port', 'schemas', 'extra_search_path', 'max_rows'],
  db: ['port', 'shadow_port', 'major_version'],
  'db.migrations': ['enabled', 'schema_paths'],
  'db.seed': ['enabled', 'sql_paths'],
  realtime: ['enabled', 'ip_version', 'max_header_length'],
  studio: ['enabled', 'port', 'api_url', 'openai_api_key'],
  inbucket: ['enabled', 'port', 'smtp_port', 'pop3_port', 'admin_email', 'sender_name'],
  storage: ['enabled', 'file_size_limit'],
  auth: [
    'enabled',
    'site_url',
    'additional_redirect_urls',
    'jwt_expiry',
    'enable_refresh_token_rotation',
    'refresh_token_reuse_interval',
    'enable_signup',
    'enable_anonymous_sign_ins',
    'enable_manual_linking',
    'minimum_password_length',
    'password_requirements',
  ],
  'auth.rate_limit': [
    'email_sent',
    'sms_sent',
    'anonymous_users',
    'token_refresh',
    'sign_in_sign_ups',
    'token_verifications',
    'web3',
  ],
  'auth.email': [
    'enable_signup',
    'double_confirm_changes',
    'enable_confirmations',
    'secure_password_change',
    'max_frequency',
    'otp_length',
    'otp_expiry',
  ],
  'auth.sms': ['enable_signup', 'enable_confirmations', 'template', 'max_frequency'],
};

type Table = Record<string, unknown>;

/** Every `section.key` of a parsed document, sections joined with dots. */
function keysOf(table: Table, prefix = ''): Array<{ section: string; key: string }> {
  return Object.entries(table).flatMap(([key, value]) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? keysOf(value as Table, prefix ? `${prefix}.${key}` : key)
      : [{ section: prefix, key }],
  );
}

const config = parse(readFileSync(path.join(SUPABASE_DIR, 'config.toml'), 'utf8')) as Table;
const section = (name: string) => name.split('.').reduce<Table>((table, part) => table[part] as Table, config);

describe('supabase/config.toml', () => {
  it('uses only keys the Supabase CLI defines', () => {
    const unknown = keysOf(config)
      .filter(({ section: name, key }) => !CLI_KEYS[name]?.includes(key))
      .map(({ section: name, key }) => (name ? `${name}.${key}` : key));
    assert.deepEqual(unknown, []);
  });

  it('names the project and exposes the public schema', () => {
    assert.match(String(config['project_id']), /^[a-z0-9][a-z0-9_-]*$/);
    assert.deepEqual(section('api')['schemas'], ['public']);
    assert.equal(section('api')['port'], 54321, 'the port supabase-js users and our local stack expect');
  });

  it('runs PostgreSQL 15 like CI, seeds from a file that exists', () => {
    assert.equal(section('db')['major_version'], 15);
    const seeds = section('db.seed')['sql_paths'] as string[];
    assert.equal(section('db.seed')['enabled'], true);
    assert.ok(seeds.length > 0);
    for (const seed of seeds) assert.ok(existsSync(path.join(SUPABASE_DIR, seed)), `${seed} exists`);
  });

  it('enables Realtime, anonymous sign-ins (guest mode) and sign-in without email confirmation', () => {
    assert.equal(section('realtime')['enabled'], true);
    assert.equal(section('auth')['enable_anonymous_sign_ins'], true);
    assert.equal(section('auth.email')['enable_confirmations'], false);
    assert.equal(section('auth')['site_url'], 'http://127.0.0.1:5173', "the demo's default address");
  });

  it('has pgTAP tests for `supabase test db`, each in a rolled-back transaction with a plan', () => {
    const tests = readdirSync(path.join(SUPABASE_DIR, 'tests')).filter((file) => file.endsWith('.sql'));
    assert.ok(tests.length >= 3, tests.join(', '));
    for (const file of tests) {
      const sql = readFileSync(path.join(SUPABASE_DIR, 'tests', file), 'utf8');
      assert.match(sql, /^begin;$/m, `${file} begins a transaction`);
      assert.match(sql, /^select plan\(\d+\);$/m, `${file} has a plan`);
      assert.match(sql, /^select \* from finish\(\);\s*rollback;\s*$/m, `${file} finishes and rolls back`);
    }
  });
});

describe('the script-tag demo page', () => {
  it('points its script tag at the stack the demo server was started for, whatever its port', async () => {
    const stackUrl = 'http://127.0.0.1:61234';
    const demo = await startDemoServer({ stackUrl, port: 0, logLevel: 'silent' });
    try {
      const response = await fetch(new URL('script-tag.html', demo.url));
      assert.equal(response.status, 200);
      const html = await response.text();
      const urls = [...html.matchAll(/data-supabase-url="([^"]*)"/g)].map((match) => match[1]);
      assert.deepEqual(urls, [stackUrl]);
      assert.doesNotMatch(html, /127\.0\.0\.1:54321/, 'no hard-coded default port left');
    } finally {
      await demo.close();
    }
  });
});
