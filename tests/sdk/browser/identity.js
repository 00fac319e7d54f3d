'use strict';
// Drives mixpanel-browser's identity calls in headless Chromium against an OpenEngage server:
// anonymous people calls and an event, identify(), more people calls, alias(), and people calls
// after the alias. The page comes from another loopback origin, as in run.js.
// Usage: node identity.js <api-base-url> <token> <user-id> <alias>
// Prints one JSON summary line on stdout: {deviceId, requests:[{url,status,response}], failures, consoleErrors}.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { launchChromium } = require('../../Support/chromium');
const { startStaticServer, trackRequests } = require('./harness');

const [apiBase, token, user, alias] = process.argv.slice(2);
if (!apiBase || !token || !user || !alias) {
  process.stderr.write('usage: node identity.js <api-base-url> <token> <user-id> <alias>\n');
  process.exit(2);
}

async function main() {
  const server = await startStaticServer();
  const pageOrigin = `http://127.0.0.1:${server.address().port}`;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openengage-chromium-'));
  const summary = { requests: [], failures: [], consoleErrors: [], deviceId: null };
  let context;
  try {
    context = await launchChromium(chromium, userDataDir);
    const page = context.pages()[0] || (await context.newPage());
    const isApiRequest = (url) => url.startsWith(apiBase) && /\/(engage|track)\/?(\?|$)/.test(url);
    const settle = trackRequests(page, isApiRequest, summary, async (request, response) => ({
      url: request.url(),
      body: request.postData(),
      status: response ? response.status() : 0,
      response: response ? await response.text() : null,
    }));

    await page.goto(pageOrigin + '/', { waitUntil: 'load', timeout: 15000 });
    const config = { api_host: apiBase, batch_requests: false, persistence: 'localStorage', track_pageview: false, ip: false };
    await page.evaluate(([t, c]) => window.start(t, c), [token, config]);
    summary.deviceId = await page.evaluate(() => mixpanel.get_property('$device_id'));

    // Anonymous: the SDK keeps people calls until identify; the event goes at once.
    await page.evaluate(() => {
      mixpanel.people.set({ first_touch: 'ads' });
      mixpanel.track('Viewed landing page');
    });
    await settle('anonymous');
    await page.evaluate((id) => {
      mixpanel.identify(id);
      mixpanel.people.set({ plan: 'pro' });
      mixpanel.people.union('tags', ['a']);
    }, user);
    await settle('identify');
    await page.evaluate((a) => { mixpanel.alias(a); }, alias);
    await settle('alias');
    await page.evaluate(() => {
      mixpanel.people.set({ after_alias: true });
      mixpanel.people.union('tags', ['b']);
    });
    await settle('after alias');
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
