/**
 * How every test and benchmark launches Chromium: Debian's build unless CHROME_PATH names another,
 * and the flags this machine needs (root needs --no-sandbox; the networking flags stop Chromium
 * from calling hosts the closed network refuses). web-test-runner runs several test files at once, each
 * in a page of one browser: the background ones must keep their timers and sockets going (Realtime
 * heartbeats, presence, waitUntil polls), or two meeting test files stall each other.
 */
export const chromiumPath = process.env['CHROME_PATH'] ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];
