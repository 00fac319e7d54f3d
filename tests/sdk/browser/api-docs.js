'use strict';
// Opens the server's API reference page (/api-docs) in headless Chromium and reports what it
// rendered: the operations listed, every request the page made, and console errors.
// Usage: node api-docs.js <api-base-url>
// Prints one JSON summary line on stdout.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { launchChromium } = require('../../Support/chromium');

const [apiBase] = process.argv.slice(2);
if (!apiBase) {
  process.stderr.write('usage: node api-docs.js <api-base-url>\n');
  process.exit(2);
}

async function main() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openengage-chromium-'));
  const summary = { requests: [], consoleErrors: [], title: null, operations: [] };
  let context;
  try {
    context = await launchChromium(chromium, userDataDir);
    const page = context.pages()[0] || (await context.newPage());
    page.on('request', (request) => summary.requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') {
        summary.consoleErrors.push(message.text());
      }
    });
    page.on('pageerror', (error) => summary.consoleErrors.push(String(error)));

    await page.goto(`${apiBase}/api-docs`, { waitUntil: 'load', timeout: 15000 });
    await page.waitForSelector('section.operation', { timeout: 15000 });
    summary.title = await page.title();
    summary.heading = await page.textContent('#title');
    summary.operations = await page.$$eval('section.operation h3', (headings) => headings.map((heading) => heading.textContent));
    summary.engageParameters = await page.$$eval('#post-engage table code', (cells) => cells.map((cell) => cell.textContent));
  } finally {
    if (context) {
      await context.close();
    }
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }

  process.stdout.write(JSON.stringify(summary) + '\n');
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + '\n');
  process.exit(1);
});
