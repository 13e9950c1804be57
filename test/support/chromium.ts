/**
 * How every test and benchmark launches Chromium: Debian's build unless CHROME_PATH names another,
 * and the flags this machine needs (root needs --no-sandbox; the networking flags stop Chromium
 * from calling hosts the closed network refuses).
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
];
