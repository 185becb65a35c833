// The sender harness protocol, served around any Node dispatcher (docs/sender-suite.md, "Certifying a sender in any language";
// schemas/sender-harness.schema.json).
//
// `pytest --horneross-sender=http://HOST:PORT/BASE` drives a sender in its own process through five JSON calls:
//
//   POST BASE/senders                {"now": T}                                   -> {"sender": S}
//   POST BASE/senders/S/subscribe    {"now": T, "url": U, "secret": K, "events": [E, ...] | null} -> {}
//   POST BASE/senders/S/emit         {"now": T, "type": E, "data": {...}}          -> {"id": "evt_..."}
//   POST BASE/senders/S/run-due      {"now": T}                                   -> {}
//   POST BASE/senders/S/close        {}                                           -> {}
//
// serveHarness(createDispatcher, {host, port, base}) serves them. It is generic: it knows nothing of the reference
// dispatcher, only that
//   createDispatcher(now)                       returns a fresh dispatcher (or a promise of one), clock at `now`;
//   dispatcher.subscribe(url, secret, events, now)
//   dispatcher.emit(type, data, now)            returns the event id (or a promise of it);
//   dispatcher.runDue(now)                      makes every attempt due at or before `now`, resolves when done;
//   dispatcher.close()                          optional: the sender may forget everything.
// `now` is always a Date. A vendor wraps their own dispatcher by writing those few methods.
//
// Every request is validated (JSON object body, `now` RFC 3339 UTC with milliseconds and never going back for one
// S, the fields' types) and bounded (1 MiB, 10 s to arrive). A failing call answers 400, 404, 405, 408 or 413
// with {"error": "one sentence"}. Error bodies are fixed sentences that never repeat anything from the request,
// so a secret can never leak through them.

'use strict';

const crypto = require('node:crypto');
const http = require('node:http');
const { parseArgs } = require('node:util');

const MAX_REQUEST_BYTES = 1024 * 1024;
const REQUEST_SECONDS = 10; // a request body must arrive within this time
const NOW_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SENDER_PATTERN = /^[A-Za-z0-9._~-]+$/;
const CALLS = new Set(['subscribe', 'emit', 'run-due', 'close']);

// A failed call: its HTTP status and the one sentence of its {"error": ...} body.
class CallError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// '' (root), '/harness', 'harness/' all become '' or '/harness'.
function normalizeBase(base) {
  const trimmed = String(base || '').replace(/\/+$/, '');
  return trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// `now` as a Date, or a 400: RFC 3339 UTC with milliseconds, and a real calendar instant (no 2026-02-30).
function parseNow(value) {
  if (typeof value !== 'string' || !NOW_PATTERN.test(value)) {
    throw new CallError(400, 'now must be an RFC 3339 UTC time with milliseconds, such as 2026-12-01T12:00:00.000Z.');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== value) {
    throw new CallError(400, 'now is not a valid calendar time.');
  }
  return date;
}

function isHttpUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

// The request body as a JSON object, read with a bound on size and time.
function readJsonObject(request) {
  return new Promise((resolve, reject) => {
    const type = String(request.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      request.resume();
      reject(new CallError(400, 'the request must have Content-Type: application/json.'));
      return;
    }
    const declared = Number(request.headers['content-length']);
    if (declared > MAX_REQUEST_BYTES) {
      request.resume();
      reject(new CallError(413, 'the request body is larger than 1 MiB.'));
      return;
    }
    const chunks = [];
    let size = 0;
    let done = false;
    const fail = (error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(() => fail(new CallError(408, 'the request body did not arrive in time.')), REQUEST_SECONDS * 1000);
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) fail(new CallError(413, 'the request body is larger than 1 MiB.'));
      else if (!done) chunks.push(chunk);
    });
    request.on('error', () => fail(new CallError(400, 'the request body could not be read.')));
    request.on('end', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      let body;
      try {
        const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
        body = JSON.parse(text);
      } catch {
        reject(new CallError(400, 'the request body is not JSON in UTF-8.'));
        return;
      }
      if (!isObject(body)) reject(new CallError(400, 'the request body must be a JSON object.'));
      else resolve(body);
    });
  });
}

function serveHarness(createDispatcher, { host = '127.0.0.1', port = 0, base = '' } = {}) {
  const prefix = normalizeBase(base);
  const senders = new Map(); // S -> {dispatcher, last: the latest `now` in milliseconds}

  // Checks `now` and moves the sender's clock to it; it never goes back for one S. Called after the other fields
  // are checked, so that a rejected call leaves the clock where it was.
  function advance(sender, value) {
    const now = parseNow(value);
    if (now.getTime() < sender.last) throw new CallError(400, 'now is earlier than a now this sender was given before.');
    sender.last = now.getTime();
    return now;
  }

  async function create(body) {
    const now = parseNow(body.now);
    const dispatcher = await createDispatcher(now);
    const id = `s-${crypto.randomBytes(9).toString('hex')}`;
    senders.set(id, { dispatcher, last: now.getTime() });
    return { sender: id };
  }

  async function call(id, name, body) {
    const sender = senders.get(id);
    if (sender === undefined) throw new CallError(404, 'there is no such sender: create one with POST BASE/senders.');
    const { dispatcher } = sender;
    if (name === 'subscribe') {
      if (typeof body.url !== 'string' || !isHttpUrl(body.url)) throw new CallError(400, 'url must be an http or https URL.');
      if (typeof body.secret !== 'string') throw new CallError(400, 'secret must be a string.');
      const events = body.events === undefined ? null : body.events;
      if (events !== null && !(Array.isArray(events) && events.every((e) => typeof e === 'string'))) {
        throw new CallError(400, 'events must be null or an array of event type strings.');
      }
      await dispatcher.subscribe(body.url, body.secret, events, advance(sender, body.now));
      return {};
    }
    if (name === 'emit') {
      if (typeof body.type !== 'string' || body.type === '') throw new CallError(400, 'type must be a non-empty string.');
      if (!isObject(body.data)) throw new CallError(400, 'data must be a JSON object.');
      const id = await dispatcher.emit(body.type, body.data, advance(sender, body.now));
      if (typeof id !== 'string') throw new Error('the dispatcher returned an event id that is not a string');
      return { id };
    }
    if (name === 'run-due') {
      await dispatcher.runDue(advance(sender, body.now));
      return {};
    }
    // close: `now` is optional here, but checked when given.
    if (body.now !== undefined) parseNow(body.now);
    senders.delete(id);
    if (typeof dispatcher.close === 'function') await dispatcher.close();
    return {};
  }

  // The route of a path: {create: true}, {id, name}, or null when the path is not one of the five calls.
  function route(pathname) {
    if (prefix !== '' && !pathname.startsWith(`${prefix}/`)) return null;
    const parts = pathname.slice(prefix.length).split('/');
    if (parts.length === 2 && parts[0] === '' && parts[1] === 'senders') return { create: true };
    if (parts.length === 4 && parts[0] === '' && parts[1] === 'senders' && CALLS.has(parts[3])) {
      return SENDER_PATTERN.test(parts[2]) ? { id: parts[2], name: parts[3] } : null;
    }
    return null;
  }

  async function handle(request) {
    const target = route(new URL(request.url, 'http://harness.invalid').pathname);
    if (target === null) {
      request.resume();
      throw new CallError(404, 'not a call of the sender harness protocol.');
    }
    if (request.method !== 'POST') {
      request.resume();
      throw new CallError(405, 'every call of the sender harness protocol is a POST.');
    }
    const body = await readJsonObject(request);
    return target.create ? create(body) : call(target.id, target.name, body);
  }

  const server = http.createServer((request, response) => {
    const answer = (status, object) => {
      const text = JSON.stringify(object);
      const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) };
      if (status === 405) headers.Allow = 'POST';
      if (status === 408 || status === 413) headers.Connection = 'close'; // the rest of the body is not read
      response.writeHead(status, headers);
      response.end(text);
    };
    handle(request).then(
      (object) => answer(200, object),
      (error) => {
        if (error instanceof CallError) {
          answer(error.status, { error: error.message });
        } else {
          // The vendor's dispatcher failed: say so in the answer, details (which may hold anything) on stderr only.
          process.stderr.write(`harness: the dispatcher failed: ${error && error.stack ? error.stack : error}\n`);
          answer(500, { error: 'the dispatcher failed; its error is on the harness process stderr.' });
        }
      },
    );
  });
  server.headersTimeout = REQUEST_SECONDS * 1000; // a client that never finishes its headers is dropped

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

// The command line shared by the reference sender and the broken senders:
//   [POSITIONAL ...] [--port N] [--host H] [--base /path] [--delivery-timeout SECONDS]
// Returns {port, host, base, deliveryTimeout, positionals}; on a bad command line, one sentence on stderr, exit 2.
function parseCommandLine(argv, { positionals = 0, usage = 'node SCRIPT' } = {}) {
  const stop = (sentence) => {
    process.stderr.write(`${sentence} Usage: ${usage} [--port N] [--host H] [--base /path] [--delivery-timeout SECONDS]\n`);
    process.exit(2);
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: positionals > 0,
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        base: { type: 'string', default: '' },
        'delivery-timeout': { type: 'string', default: '10' },
      },
    });
  } catch (error) {
    return stop(`${error.message}.`);
  }
  const { values } = parsed;
  if (parsed.positionals.length !== positionals) stop(`Expected ${positionals} positional argument(s).`);
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) stop('--port must be a port number (0: any free port).');
  const deliveryTimeout = Number(values['delivery-timeout']);
  if (!(deliveryTimeout > 0 && Number.isFinite(deliveryTimeout))) stop('--delivery-timeout must be a positive number of seconds.');
  return { port, host: values.host, base: values.base, deliveryTimeout, positionals: parsed.positionals };
}

// Serves createDispatcher through the harness and prints `listening PORT` as the first stdout line, the convention
// of every peer the tests start (tests/node/express-receiver.js), so that port 0 can be used everywhere.
async function listen(createDispatcher, options) {
  const server = await serveHarness(createDispatcher, options);
  process.stdout.write(`listening ${server.address().port}\n`);
  return server;
}

// main() of a harness: parse the command line, build the factory from its options, serve until killed.
function runFromCommandLine(makeCreateDispatcher, { argv = process.argv.slice(2), usage } = {}) {
  const options = parseCommandLine(argv, { usage });
  listen(makeCreateDispatcher(options), options).catch((error) => {
    process.stderr.write(`Cannot serve the harness: ${error.message}\n`);
    process.exit(1);
  });
}

module.exports = { serveHarness, parseCommandLine, listen, runFromCommandLine, CallError, parseNow, normalizeBase };
