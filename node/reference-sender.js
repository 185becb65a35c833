// The reference sender in Node.js: a small, fully conformant Horneross webhook dispatcher, in one readable file,
// and (run as main) that dispatcher served through the sender harness protocol (harness.js), so that
// `pytest --horneross-sender=http://127.0.0.1:PORT` can certify it like any sender in any language.
//
// It mirrors horneross_conformance/sender/reference.py. What it does, and why (docs/contract.md, its decisions):
//
// 1. subscribe(url, secret, events) registers an endpoint with its own secret and its selection of event types
//    (null: all of them).
// 2. emit(type, data, now) builds the event once: an evt_ id, the type, the timestamp of `now` (RFC 3339 UTC) and
//    the data, in that key order. It serializes it once with JSON.stringify, as the documentation's receiver
//    does, and signs those bytes once per endpoint. Every attempt sends exactly these bytes with this signature,
//    so retries are identical to the first attempt (decisions 3 and 4).
// 3. runDue(now) makes every attempt due at or before `now`, in parallel, and resolves when all are done.
//    Success is exactly HTTP 200. Anything else is a failure: another 2xx, a redirect (never followed), 4xx,
//    5xx, no answer within the delivery timeout, a refused or broken connection. After a failure the next attempt
//    is due 1 min, 5 min, 30 min, then 2 h later, counted from the failure, which happens at the `now` of the
//    runDue call that made the attempt. After the fifth attempt there is no other (decisions 1 and 2).
// 4. Time is explicit: `now` (a Date, or milliseconds since the epoch) is given to every call, so a test can jump
//    it from due time to due time while the delivery timeout stays in real time.
//
// What a production dispatcher adds and this model leaves out: a persistent outbox (pending deliveries live in
// memory and die with the process), and TLS settings beyond Node's defaults.
//
// The methods are small on purpose: tests/node/broken-senders.js overrides one of them per fault.
//
// Run:  node node/reference-sender.js [--port N] [--host H] [--base /path] [--delivery-timeout SECONDS]
// It prints `listening PORT` as its first stdout line and serves until killed.

'use strict';

const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');

const SIGNATURE_HEADER = 'X-Horneross-Signature';
const RETRY_DELAYS = [60, 5 * 60, 30 * 60, 2 * 60 * 60]; // seconds after attempts 1, 2, 3 and 4 fail
const MAX_ATTEMPTS = RETRY_DELAYS.length + 1;
const MAX_ANSWER_BYTES = 64 * 1024; // read at most this much of an endpoint's answer: only its status matters

// `now` as milliseconds since the epoch, from a Date or a number.
function toMillis(now) {
  const millis = now instanceof Date ? now.getTime() : now;
  if (!Number.isFinite(millis)) throw new TypeError('now must be a Date or a number of milliseconds');
  return millis;
}

class Dispatcher {
  // deliveryTimeout: seconds of real time to wait for an endpoint's answer before the attempt counts as failed.
  constructor({ deliveryTimeout = 10 } = {}) {
    this.deliveryTimeout = deliveryTimeout;
    this.subscriptions = []; // {url, secret, events: Set | null}
    this.pending = []; // deliveries with attempts left: {subscription, body, signature, due, attempts, inFlight}
  }

  subscribe(url, secret, events = null) {
    this.subscriptions.push({ url, secret, events: events === null ? null : new Set(events) });
  }

  wants(subscription, type) {
    return subscription.events === null || subscription.events.has(type);
  }

  emit(type, data, now) {
    const id = this.newId();
    const event = { id, type, timestamp: this.timestamp(now), data }; // this key order, as documented
    const body = Buffer.from(this.serialize(event), 'utf8'); // once: every attempt sends these very bytes
    for (const subscription of this.subscriptions) {
      if (this.wants(subscription, type)) {
        const signature = this.sign(body, subscription.secret);
        this.pending.push({ subscription, body, signature, due: toMillis(now), attempts: 0, inFlight: false });
      }
    }
    return id;
  }

  newId() {
    return `evt_${crypto.randomBytes(12).toString('hex')}`;
  }

  timestamp(now) {
    return new Date(toMillis(now)).toISOString(); // RFC 3339 UTC, e.g. 2026-03-14T15:09:26.000Z
  }

  // Exactly JSON.stringify: the documented receiver re-serializes the parsed body with it and compares HMACs.
  // It escapes lone surrogates (\ud83d), so the string is well formed and its UTF-8 bytes are lossless.
  serialize(event) {
    return JSON.stringify(event);
  }

  sign(body, secret) {
    return crypto.createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex'); // lowercase hex
  }

  headers(delivery) {
    return { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: delivery.signature };
  }

  async runDue(now) {
    const millis = toMillis(now);
    // A delivery already in flight (a runDue that has not finished) is not attempted twice at once.
    const due = this.pending.filter((d) => !d.inFlight && d.due <= millis);
    await Promise.all(due.map((delivery) => this.attempt(delivery, millis)));
  }

  async attempt(delivery, now) {
    delivery.inFlight = true;
    delivery.attempts += 1;
    let outcome;
    try {
      outcome = await this.post(delivery);
    } finally {
      delivery.inFlight = false;
    }
    this.settle(delivery, outcome, now);
  }

  // After an attempt: done on success or after the last attempt, otherwise due again after the next delay.
  settle(delivery, outcome, now) {
    if (this.isSuccess(outcome) || delivery.attempts >= MAX_ATTEMPTS) {
      this.pending = this.pending.filter((d) => d !== delivery);
    } else {
      delivery.due = this.nextDue(delivery, now);
    }
  }

  isSuccess(outcome) {
    return outcome.status === 200;
  }

  // The failure happened at `failedAt`, the `now` of the runDue call that made the attempt.
  nextDue(delivery, failedAt) {
    return failedAt + RETRY_DELAYS[delivery.attempts - 1] * 1000;
  }

  post(delivery) {
    return this.send(delivery.subscription.url, delivery.body, this.headers(delivery));
  }

  // One POST. Resolves (never rejects) with {status, location, error}: status null when no answer came, error the
  // reason (an error code such as ECONNREFUSED, or 'timeout'). Redirects are reported, never followed. The status
  // line is the answer: once it has come, a body that drips past the deadline is cut off but the status stands.
  send(url, body, headers) {
    return new Promise((resolve) => {
      let settled = false;
      let status = null;
      let location = null;
      let request;
      const finish = (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        request.destroy(); // one connection per attempt: nothing kept alive, nothing left open
        resolve({ status, location, error: status === null ? error : null });
      };
      // A total deadline per attempt, in real time: an endpoint that drips its answer cannot hold an attempt longer.
      const deadline = setTimeout(() => finish('timeout'), this.deliveryTimeout * 1000);
      try {
        const target = new URL(url);
        const client = target.protocol === 'https:' ? https : http;
        request = client.request(target, {
          method: 'POST',
          agent: false,
          headers: { ...headers, 'Content-Length': body.length },
        });
      } catch (error) {
        request = { destroy() {} };
        finish(error.code || 'invalid url');
        return;
      }
      request.on('error', (error) => finish(error.code || 'error'));
      request.on('response', (response) => {
        // The status decides; the body is read and discarded, up to a bound, so that the endpoint can finish.
        status = response.statusCode;
        location = response.headers.location || null;
        let read = 0;
        response.on('data', (chunk) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) finish(null);
        });
        response.on('end', () => finish(null));
        response.on('error', () => finish(null));
      });
      request.end(body);
    });
  }
}

module.exports = { Dispatcher, SIGNATURE_HEADER, RETRY_DELAYS, MAX_ATTEMPTS, MAX_ANSWER_BYTES, toMillis };

if (require.main === module) {
  const { runFromCommandLine } = require('./harness.js');
  runFromCommandLine((options) => () => new Dispatcher({ deliveryTimeout: options.deliveryTimeout }), {
    usage: 'node node/reference-sender.js',
  });
}
