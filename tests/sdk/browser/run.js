'use strict';
// Drives the official Mixpanel browser SDK (npm "mixpanel-browser") in headless Chromium against
// an OpenEngage server. The test page comes from a static server of its own on another loopback
// port: a different origin than the API, so every SDK request is a cross-origin XHR with
// credentials.
// Usage: node run.js <api-base-url> <token> <id-prefix> <batch|direct>
//   batch:  batch_requests on, base64 payloads (the SDK's default for a non-Mixpanel host), and
//           a custom request header so that every POST is preceded by a CORS preflight.
//   direct: batch_requests off, JSON payloads, one request per call, callbacks see 1 or 0.
// Prints one JSON summary line on stdout.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { launchChromium } = require('../../Support/chromium');
const { startStaticServer, trackRequests } = require('./harness');

const [apiBase, token, prefix, mode] = process.argv.slice(2);
if (!apiBase || !token || !prefix || !['batch', 'direct'].includes(mode)) {
  process.stderr.write('usage: node run.js <api-base-url> <token> <id-prefix> <batch|direct>\n');
  process.exit(2);
}

const FLUSH_INTERVAL_MS = 200;

async function main() {
  const server = await startStaticServer();
  const pageOrigin = `http://127.0.0.1:${server.address().port}`;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openengage-chromium-'));
  const summary = { mode, pageOrigin, requests: [], failures: [], consoleErrors: [], callbacks: [], ids: {} };
  let context;
  try {
    context = await launchChromium(chromium, userDataDir);
    const page = context.pages()[0] || (await context.newPage());

    // Requests to the profile endpoints, until the SDK has sent everything.
    const isProfileRequest = (url) => url.startsWith(apiBase) && /\/(engage|groups)\/?(\?|$)/.test(url);
    const settle = trackRequests(page, isProfileRequest, summary, async (request, response) => {
      const headers = response ? await response.allHeaders() : {};
      return {
        method: request.method(),
        url: request.url(),
        contentType: (await request.allHeaders())['content-type'] || null,
        body: request.postData(),
        status: response ? response.status() : 0,
        response: response ? await response.text() : null,
        allowOrigin: headers['access-control-allow-origin'] || null,
        allowCredentials: headers['access-control-allow-credentials'] || null,
      };
    });

    await page.goto(pageOrigin + '/', { waitUntil: 'load', timeout: 15000 });
    const config = {
      api_host: apiBase,
      batch_requests: mode === 'batch',
      batch_flush_interval_ms: FLUSH_INTERVAL_MS,
      persistence: 'localStorage',
      track_pageview: false,
      ip: false,
    };
    if (mode === 'batch') {
      config.xhr_headers = { 'X-OpenEngage-Check': '1' };
    } else {
      config.api_payload_format = 'json';
    }
    await page.evaluate(([t, c]) => window.start(t, c), [token, config]);

    const person = `${prefix}-${mode}`;
    const doomed = `${prefix}-${mode}-doomed`;
    summary.ids = { person, doomed };
    await page.evaluate((id) => window.phase1(id), person);
    await settle('phase 1');
    await page.evaluate(() => window.phase2());
    await settle('phase 2');
    await page.evaluate((id) => window.phase3(id), doomed);
    await settle('phase 3');
    await page.evaluate(() => window.phase4());
    await settle('phase 4');
    summary.callbacks = await page.evaluate(() => window.callbacks);
  } finally {
    if (context) {
      await context.close().catch(() => {});
    }
    server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  return summary;
}

main().then(
  (summary) => process.stdout.write(JSON.stringify(summary) + '\n', () => process.exit(0)),
  (error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error) + '\n');
    process.exit(1);
  });
