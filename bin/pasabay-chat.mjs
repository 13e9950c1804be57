#!/usr/bin/env node
// `npx pasabay-chat <command>`: set up and check a Supabase project for Pasabay Chat.
// Plain ESM JavaScript so that it runs from the installed package with only its dependencies.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HELP = `Usage: pasabay-chat <command> [options]

Commands:
  init     Copy Pasabay Chat's migrations into your project's supabase/migrations
  doctor   Check a live Supabase project: tables, RPCs, anonymous sign-ins, Realtime

Run \`pasabay-chat <command> --help\` for a command's options.
`;

// Each command's module is loaded only when it runs: `init` never loads supabase-js.
const COMMANDS = {
  init: {
    load: () => import('./lib/init.mjs'),
    options: { dir: { type: 'string' } },
    run: ({ init }, values) => init({ dir: values.dir }),
  },
  doctor: {
    load: () => import('./lib/doctor.mjs'),
    needsWebSocket: true,
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      'service-key': { type: 'string' },
      timeout: { type: 'string' },
    },
    run: ({ doctor }, values) =>
      doctor({
        url: values.url ?? process.env.SUPABASE_URL,
        key: values.key ?? process.env.SUPABASE_ANON_KEY,
        serviceKey: values['service-key'] ?? process.env.SUPABASE_SERVICE_ROLE_KEY,
        timeout: values.timeout,
      }),
  },
};

async function main(argv) {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`pasabay-chat: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  if (command.needsWebSocket && typeof globalThis.WebSocket === 'undefined') return rerunWithWebSocket();
  const module = await command.load();
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`pasabay-chat ${name}: ${error.message}\n\n${module.HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(module.HELP);
    return 0;
  }
  return command.run(module, values);
}

// Node 20 has a WebSocket only behind a flag (22 and later have it built in); Realtime needs one.
function rerunWithWebSocket() {
  if (process.env.PASABAY_CLI_WEBSOCKET_FLAG) {
    process.stderr.write('pasabay-chat: this Node.js has no WebSocket; use Node.js 20.10 or later.\n');
    return 1;
  }
  const child = spawnSync(
    process.execPath,
    ['--experimental-websocket', '--no-warnings', fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, PASABAY_CLI_WEBSOCKET_FLAG: '1' } },
  );
  return child.status ?? 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`pasabay-chat: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
