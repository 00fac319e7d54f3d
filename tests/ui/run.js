'use strict';
// End-to-end test of the OpenEngage profile browser in headless Chromium, driven by playwright-core.
// The server and its profiles are prepared by the caller (tests/OpenEngage.Web.Tests/BrowserTests.cs).
// Usage: node run.js <base-url> <api-secret> <reader-user> <reader-secret> <screenshot-dir>
// Every step waits for elements or URLs (no fixed sleeps). Prints one JSON summary line on stdout;
// exits 1 (after printing the summary, with the failed step) when a step fails.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { launchChromium } = require('../Support/chromium');

const [base, secret, readerUser, readerSecret, shotDir] = process.argv.slice(2);
if (!base || !secret || !readerUser || !readerSecret || !shotDir) {
  process.stderr.write('usage: node run.js <base-url> <api-secret> <reader-user> <reader-secret> <screenshot-dir>\n');
  process.exit(2);
}

const TIMEOUT_MS = 15000;
const summary = { steps: [], otherOrigins: [], consoleErrors: [], screenshots: [] };

function check(condition, message) {
  if (!condition) { throw new Error(message); }
}

async function main() {
  fs.mkdirSync(shotDir, { recursive: true });
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openengage-ui-chromium-'));
  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'openengage-ui-downloads-'));
  let context;
  let page;
  let current = 'start';
  const step = async (name, body) => {
    current = name;
    const started = Date.now();
    const result = await body();
    summary.steps.push({ name, ms: Date.now() - started });
    if (result !== undefined) { summary[name] = result; }
  };
  const shot = async (name) => {
    const file = path.join(shotDir, name + '.png');
    await page.screenshot({ path: file, fullPage: true });
    summary.screenshots.push(file);
  };
  const rowIds = () => page.locator('table.profiles tbody th[scope="row"] > a').allTextContents();
  const total = async () => Number((await page.locator('#count strong').textContent()).replace(/[^0-9]/g, ''));

  try {
    context = await launchChromium(chromium, userDataDir, {
      acceptDownloads: true,
      downloadsPath: downloads,
      viewport: { width: 1280, height: 800 },
    });
    context.setDefaultTimeout(TIMEOUT_MS);
    page = context.pages()[0] || (await context.newPage());
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')) { summary.otherOrigins.push(url); }
    });
    page.on('console', (message) => { if (message.type() === 'error') { summary.consoleErrors.push({ step: current, text: message.text() }); } });

    await step('signIn', async () => {
      await page.goto(base + '/');
      await page.waitForURL(/\/signin/);
      await shot('signin');
      await page.getByLabel('Secret', { exact: true }).fill(secret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(base + '/');
      await page.locator('table.profiles tbody tr').first().waitFor();
      return { url: page.url() };
    });

    await step('list', async () => {
      const ids = await rowIds();
      const headers = await page.locator('table.profiles thead th').allTextContents();
      await shot('list');
      return { total: await total(), rows: ids.length, headers: headers.map((h) => h.trim()) };
    });

    await step('search', async () => {
      await page.getByLabel('Search', { exact: true }).fill('ANN');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.waitForURL(/[?&]q=ANN/);
      const result = { total: await total(), names: await rowIds() };
      await page.getByRole('link', { name: 'Clear search' }).click();
      await page.waitForURL(base + '/');
      return result;
    });

    await step('filter', async () => {
      const panel = page.locator('details#filter');
      if (!(await panel.getAttribute('open'))) { await panel.locator('summary').click(); }
      await page.getByLabel('Property', { exact: true }).fill('plan');
      await page.getByLabel('Operator', { exact: true }).selectOption('eq');
      await page.getByLabel('Type', { exact: true }).selectOption('string');
      await page.getByLabel('Value', { exact: true }).fill('pro');
      await page.getByRole('button', { name: 'Add condition' }).click();
      await page.waitForURL(/[?&]where=/);
      await page.locator('#count').waitFor();
      await shot('filter');
      return { where: new URL(page.url()).searchParams.get('where'), total: await total() };
    });

    await step('sort', async () => {
      await page.getByRole('link', { name: '$email' }).click();
      await page.waitForURL(/sort_order=ascending/);
      const ascending = await page.locator('table.profiles tbody tr td:nth-child(2)').allTextContents();
      const ariaAscending = await page.locator('th[aria-sort]').getAttribute('aria-sort');
      await page.getByRole('link', { name: '$email' }).click();
      await page.waitForURL(/sort_order=descending/);
      const descending = await page.locator('table.profiles tbody tr td:nth-child(2)').allTextContents();
      const url = new URL(page.url());
      return { sortKey: url.searchParams.get('sort_key'), ascending, descending, ariaAscending, where: url.searchParams.get('where') };
    });

    await step('profile', async () => {
      await page.getByRole('link', { name: 'Ann Lee' }).click();
      await page.waitForURL(/\/profile\?distinct_id=/);
      await page.locator('table.properties').waitFor();
      await shot('profile');
      return {
        title: (await page.locator('h1').textContent()).trim(),
        id: await page.locator('#distinct-id').textContent(),
        apiLink: await page.getByRole('link', { name: 'This profile in the query API' }).getAttribute('href'),
        rows: await page.locator('table.properties tbody tr').count(),
      };
    });

    await step('edit', async () => {
      const profileUrl = page.url();
      await page.getByLabel('Property', { exact: true }).fill('plan');
      await page.getByLabel('Type', { exact: true }).selectOption('string');
      await page.getByLabel('Value', { exact: true }).fill('enterprise');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('.notice').waitFor();
      await page.getByLabel('Property', { exact: true }).fill('tags');
      await page.getByLabel('Type', { exact: true }).selectOption('json');
      await page.getByLabel('Value', { exact: true }).fill('["beta", "early"]');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(profileUrl);
      await page.locator('.notice', { hasText: 'Set tags' }).waitFor();
      const row = (name) => page.locator('table.properties tbody tr', { has: page.locator(`th code:text-is("${name}")`) });
      return {
        plan: (await row('plan').locator('td.value').textContent()).trim(),
        planType: (await row('plan').locator('.type').textContent()).trim(),
        tags: await row('tags').locator('td.value li').allTextContents(),
        tagsType: (await row('tags').locator('.type').textContent()).trim(),
      };
    });

    await step('history', async () => {
      // The edit just made is the newest change of plan in the profile's history.
      const history = page.locator('section#history');
      await history.waitFor();
      const planRows = history.locator('tbody tr', { has: page.locator('th code:text-is("plan")') });
      await shot('history');
      return {
        heading: (await page.locator('#history-title').textContent()).trim(),
        newestPlan: (await planRows.first().locator('td').allTextContents()).map((text) => text.trim()),
        apiLink: await page.getByRole('link', { name: 'All of them in the history API' }).getAttribute('href'),
      };
    });

    await step('delete', async () => {
      await page.goto(base + '/profile?distinct_id=delete-me');
      await page.getByLabel(/Yes, delete delete-me/).check();
      await page.getByRole('button', { name: 'Delete profile' }).click();
      await page.waitForURL(base + '/');
      const notice = (await page.locator('.notice').textContent()).trim();
      const response = await page.goto(base + '/profile?distinct_id=delete-me');
      return { notice, statusAfter: response.status(), heading: (await page.locator('h1').textContent()).trim() };
    });

    await step('bulkSet', async () => {
      await page.goto(base + '/?where=' + encodeURIComponent('properties["plan"] == "free"'));
      const listed = await total();
      await page.getByRole('link', { name: 'Change all matches…' }).click();
      await page.waitForURL(/\/bulk\?/);
      const count = Number((await page.locator('#match-count').textContent()).replace(/[^0-9]/g, ''));
      await page.getByLabel('Set a property', { exact: true }).check();
      await page.getByLabel('Property', { exact: true }).fill('segment');
      await page.getByLabel('Value', { exact: true }).fill('vip');
      await page.getByLabel(/Yes, change these/).check();
      await shot('bulk-confirm');
      await page.getByRole('button', { name: 'Start' }).click();
      await page.waitForURL(/\/jobs\//);
      await page.locator('[data-job][data-state="finished"]').waitFor();
      await shot('bulk-job');
      return {
        listed,
        count,
        done: Number((await page.locator('#job-done').textContent()).replace(/[^0-9]/g, '')),
        total: Number((await page.locator('#job-total').textContent()).replace(/[^0-9]/g, '')),
      };
    });

    await step('csv', async () => {
      await page.goto(base + '/?where=' + encodeURIComponent('properties["plan"] == "pro"'));
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Export CSV' }).click(),
      ]);
      const file = await download.path();
      return { fileName: download.suggestedFilename(), base64: fs.readFileSync(file).toString('base64') };
    });

    await step('savedFilter', async () => {
      await page.getByLabel('Save filter as', { exact: true }).fill('Pro users');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.locator('.notice', { hasText: 'Saved the filter' }).waitFor();
      await page.getByRole('link', { name: 'Saved filters' }).click();
      await page.waitForURL(/\/filters/);
      const row = page.locator('table.filters tbody tr', { hasText: 'Pro users' });
      const members = (await row.locator('td.number').textContent()).trim();
      await shot('saved-filters');
      await row.getByRole('link', { name: 'Pro users' }).click();
      await page.waitForURL(/[?&]where=/);
      return { members, where: new URL(page.url()).searchParams.get('where'), total: await total() };
    });

    await step('whereError', async () => {
      await page.goto(base + '/');
      const panel = page.locator('details#filter');
      if (!(await panel.getAttribute('open'))) { await panel.locator('summary').click(); }
      await page.getByLabel(/Where expression/).fill('properties["plan"] = "pro"');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.locator('#where-error').waitFor();
      const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
      await shot('where-error');
      return { message: (await page.locator('#where-error p').textContent()).trim(), focused };
    });

    await step('properties', async () => {
      await page.getByRole('link', { name: 'Properties' }).click();
      await page.waitForURL(/\/properties/);
      await shot('properties');
      await page.getByRole('link', { name: 'plan', exact: true }).click();
      await page.waitForURL(/name=plan/);
      await shot('property-values');
      const rows = await page.locator('table.values tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th').textContent.trim(), tr.querySelector('td.number').textContent.trim()]));
      return { values: rows };
    });

    await step('phone', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(base + '/');
      await page.locator('table.profiles').waitFor();
      const listOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await page.screenshot({ path: path.join(shotDir, 'phone-list.png') });
      summary.screenshots.push(path.join(shotDir, 'phone-list.png'));
      await page.getByRole('link', { name: 'Ann Lee' }).click();
      await page.waitForURL(/\/profile/);
      const profileOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      await page.screenshot({ path: path.join(shotDir, 'phone-profile.png') });
      summary.screenshots.push(path.join(shotDir, 'phone-profile.png'));
      await page.setViewportSize({ width: 1280, height: 800 });
      return { listOverflow, profileOverflow };
    });

    await step('reader', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/signin/);
      await page.getByLabel(/user name/).fill(readerUser);
      await page.getByLabel('Secret', { exact: true }).fill(readerSecret);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(base + '/');
      await page.locator('table.profiles').waitFor();
      const listActions = await page.getByRole('link', { name: 'Change all matches…' }).count()
        + await page.getByLabel('Save filter as', { exact: true }).count();
      await page.getByRole('link', { name: 'Ann Lee' }).click();
      await page.waitForURL(/\/profile/);
      const profileActions = await page.getByRole('button', { name: 'Delete profile' }).count()
        + await page.getByRole('heading', { name: 'Set a property' }).count()
        + await page.getByRole('button', { name: /^Unset/ }).count();
      const id = await page.locator('#distinct-id').textContent();
      const forged = await page.evaluate(async (distinctId) => {
        const token = document.querySelector('input[name="__antiforgery"]').value;
        const body = new URLSearchParams({ __antiforgery: token, distinct_id: distinctId, confirm: 'yes' });
        const response = await fetch('/profile?handler=Delete', { method: 'POST', body, credentials: 'same-origin' });
        return response.status;
      }, id);
      await page.reload();
      const stillThere = (await page.locator('h1').textContent()).trim();
      await shot('reader-profile');
      return { listActions, profileActions, forged, stillThere };
    });
  } catch (error) {
    summary.failedStep = current;
    summary.error = String(error && error.stack || error);
    if (page) {
      try { await page.screenshot({ path: path.join(shotDir, 'failure.png'), fullPage: true }); } catch (_) { /* the page may be gone */ }
    }
  } finally {
    if (context) { await context.close(); }
    fs.rmSync(userDataDir, { recursive: true, force: true });
    fs.rmSync(downloads, { recursive: true, force: true });
  }

  process.stdout.write(JSON.stringify(summary) + '\n');
  process.exit(summary.failedStep ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + '\n');
  process.exit(1);
});
