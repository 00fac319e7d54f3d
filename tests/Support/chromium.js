'use strict';
// Starts Debian's Chromium headless for the browser tests, with the flags that keep it off the
// network (this machine's network is closed: without them Chromium keeps trying to reach Google's
// hosts). The caller passes playwright-core's `chromium`, so each test folder uses its own pinned copy.

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A persistent context on a fresh profile in userDataDir; options add to (or override) the defaults. */
function launchChromium(chromium, userDataDir, options = {}) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30000,
    ...options,
    args: ARGS,
  });
}

module.exports = { launchChromium };
