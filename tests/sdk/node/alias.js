'use strict';
// Drives the official Mixpanel Node SDK's alias() against an OpenEngage server: a profile under
// <user>, alias(<user>, <alias>) (GET /track?data=<base64 $create_alias>), then a people call
// addressed to the alias. Usage: node alias.js <port> <token> <user> <alias>
// Prints one JSON line: {"errors":[…]} (null for each call whose callback saw success).

const Mixpanel = require('mixpanel');

const [port, token, user, alias] = process.argv.slice(2);
if (!port || !token || !user || !alias) {
  process.stderr.write('usage: node alias.js <port> <token> <user> <alias>\n');
  process.exit(2);
}

const mp = Mixpanel.init(token, { host: `127.0.0.1:${port}`, protocol: 'http' });
const errors = [];

function call(invoke) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      errors.push('no callback within 10 s');
      resolve();
    }, 10000);
    invoke((error) => {
      clearTimeout(timer);
      errors.push(error ? String(error.message || error) : null);
      resolve();
    });
  });
}

(async () => {
  await call((cb) => mp.people.set(user, { plan: 'pro' }, cb));
  await call((cb) => mp.alias(user, alias, cb));
  await call((cb) => mp.people.set(alias, { via_alias: true }, cb));
  process.stdout.write(JSON.stringify({ errors }) + '\n', () => process.exit(0));
})();
