'use strict';
// Drives the official Mixpanel Node SDK (npm "mixpanel") against an OpenEngage server.
// Usage: node people.js <port> <token> <id-prefix>
// Every profile operation of the SDK runs twice, with verbose off and on, each on its own
// profile. Calls run one after another: the SDK sends each update as its own GET request, so
// only sequential calls have a defined order. Prints one JSON summary line on stdout:
// {"calls":[{"label","verbose","expectFailure","error"}], "profiles":{...}}.

const Mixpanel = require('mixpanel');

const [port, token, prefix] = process.argv.slice(2);
if (!port || !token || !prefix) {
  process.stderr.write('usage: node people.js <port> <token> <id-prefix>\n');
  process.exit(2);
}

const calls = [];

// Runs one SDK call whose last argument is the callback, and records what the callback saw.
function call(label, verbose, expectFailure, invoke) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      calls.push({ label, verbose, expectFailure, error: 'no callback within 10 s' });
      resolve();
    }, 10000);
    invoke((error) => {
      clearTimeout(timer);
      calls.push({ label, verbose, expectFailure, error: error ? String(error.message || error) : null });
      resolve();
    });
  });
}

function client(clientToken, verbose) {
  return Mixpanel.init(clientToken, { host: `127.0.0.1:${port}`, protocol: 'http', verbose });
}

async function scenario(verbose) {
  const mp = client(token, verbose);
  const people = mp.people;
  const tag = verbose ? 'verbose' : 'quiet';
  const id = `${prefix}-${tag}`;
  const doomed = `${prefix}-${tag}-doomed`;
  const timed = `${prefix}-${tag}-timed`;
  const run = (label, invoke) => call(`${tag}: ${label}`, verbose, false, invoke);

  await run('set object', (cb) => people.set(id, { $name: 'Ada Lovelace', plan: 'free', to_unset: 1, a: 'x', b: 'y' }, cb));
  await run('set one property', (cb) => people.set(id, 'plan', 'premium', cb));
  await run('set_once', (cb) => people.set_once(id, { plan: 'ignored', first_seen: '2024-01-01' }, cb));
  await run('set_once one property', (cb) => people.set_once(id, 'referrer', 'newsletter', cb));
  await run('increment by one', (cb) => people.increment(id, 'logins', cb));
  await run('increment object', (cb) => people.increment(id, { credits: 10, balance: -2.5 }, cb));
  await run('increment negative', (cb) => people.increment(id, 'credits', -3, cb));
  await run('append one', (cb) => people.append(id, 'pages', 'home', cb));
  await run('append object', (cb) => people.append(id, { pages: 'pricing', pairs: ['x', 'y'] }, cb));
  await run('union list', (cb) => people.union(id, { browsers: ['firefox', 'chrome'] }, cb));
  await run('union scalar', (cb) => people.union(id, { browsers: 'firefox' }, cb));
  await run('union more', (cb) => people.union(id, { browsers: ['safari', 'chrome'] }, cb));
  await run('remove', (cb) => people.remove(id, { browsers: 'chrome' }, cb));
  await run('unset one', (cb) => people.unset(id, 'to_unset', cb));
  await run('unset list', (cb) => people.unset(id, ['a', 'b'], cb));
  await run('track_charge', (cb) => people.track_charge(id, 29.99, cb));
  await run('track_charge with properties', (cb) =>
    people.track_charge(id, 19, { $time: new Date('2012-02-01T00:00:00Z'), sku: 'A1' }, cb));

  await run('set before delete', (cb) => people.set(doomed, 'doomed', true, cb));
  await run('delete_user', (cb) => people.delete_user(doomed, cb));
  await run('delete_user of a missing profile', (cb) => people.delete_user(`${doomed}-never-existed`, cb));

  // $time as a Date: the SDK sends milliseconds since the epoch.
  await run('set with $time', (cb) => people.set(timed, 'step', 1, { $time: new Date('2020-05-06T07:08:09Z') }, cb));
  await run('set with $ignore_time', (cb) => people.set(timed, 'step', 2, { $ignore_time: true }, cb));

  // An unknown token is refused: the SDK's callback must see the failure.
  const stranger = client('no-such-token', verbose).people;
  await call(`${tag}: unknown token`, verbose, true, (cb) => stranger.set(`${id}-stranger`, 'x', 1, cb));

  return { id, doomed, timed };
}

(async () => {
  const profiles = { quiet: await scenario(false), verbose: await scenario(true) };
  // Exit explicitly: keep-alive sockets must not hold the process open.
  process.stdout.write(JSON.stringify({ calls, profiles }) + '\n', () => process.exit(0));
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + '\n');
  process.exit(1);
});
