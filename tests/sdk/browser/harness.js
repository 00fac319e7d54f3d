'use strict';
// What the browser SDK scripts share: the static server of the test page, on a loopback origin of
// its own (so every SDK request to the API is cross-origin), and the tracking of the SDK's
// requests until it has sent everything.

const fs = require('fs');
const http = require('http');
const path = require('path');

// Longer than the SDK's batch flush interval: no new request for this long means it is done.
const QUIET_MS = 800;
const PHASE_TIMEOUT_MS = 15000;

const files = {
  '/': { file: path.join(__dirname, 'page.html'), type: 'text/html; charset=utf-8' },
  '/mixpanel.umd.js': {
    file: path.join(__dirname, 'node_modules', 'mixpanel-browser', 'dist', 'mixpanel.umd.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

// Serves the test page and the SDK's bundle on 127.0.0.1 at a port the system picks.
function startStaticServer() {
  const server = http.createServer((request, response) => {
    const entry = files[request.url.split('?')[0]];
    if (!entry) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': entry.type, 'Cache-Control': 'no-store' });
    fs.createReadStream(entry.file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// Follows the page's requests that `isTracked(url)` accepts: each finished one goes into
// summary.requests as `describe(request, response)` makes it, each failed one into
// summary.failures; the page's console errors go into summary.consoleErrors. Returns
// settle(phase), which resolves once nothing is in flight and no request moved for QUIET_MS, and
// throws after PHASE_TIMEOUT_MS.
function trackRequests(page, isTracked, summary, describe) {
  let inFlight = 0;
  let lastActivity = Date.now();
  page.on('request', (request) => {
    if (isTracked(request.url())) {
      inFlight++;
      lastActivity = Date.now();
    }
  });
  page.on('requestfinished', async (request) => {
    if (!isTracked(request.url())) {
      return;
    }
    try {
      summary.requests.push(await describe(request, await request.response()));
    } finally {
      inFlight--;
      lastActivity = Date.now();
    }
  });
  page.on('requestfailed', (request) => {
    if (!isTracked(request.url())) {
      return;
    }
    summary.failures.push({ url: request.url(), error: request.failure() ? request.failure().errorText : 'failed' });
    inFlight--;
    lastActivity = Date.now();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') {
      summary.consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => summary.consoleErrors.push(String(error)));

  return async (phase) => {
    const deadline = Date.now() + PHASE_TIMEOUT_MS;
    lastActivity = Date.now();
    while (inFlight > 0 || Date.now() - lastActivity < QUIET_MS) {
      if (Date.now() > deadline) {
        throw new Error(`${phase}: the SDK did not finish sending within ${PHASE_TIMEOUT_MS} ms (${inFlight} in flight)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
}

module.exports = { startStaticServer, trackRequests };
