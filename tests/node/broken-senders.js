// Broken Node senders for the sender suite's self-tests through the harness protocol: each is the reference
// Dispatcher (node/reference-sender.js) with exactly ONE fault, served through node/harness.js, so that a verdict
// against it is about that fault and nothing else. The Python zoo in tests/senders.py has the same spirit.
//
// Run:  node tests/node/broken-senders.js FAULT [--port N] [--host H] [--base /path] [--delivery-timeout SECONDS]
// It prints `listening PORT` as its first stdout line and serves until killed. An unknown FAULT: one sentence on
// stderr, exit 2.

'use strict';

const path = require('node:path');

const root = path.join(__dirname, '..', '..', 'node');
const { Dispatcher, RETRY_DELAYS, MAX_ATTEMPTS, toMillis } = require(path.join(root, 'reference-sender.js'));
const { parseCommandLine, listen } = require(path.join(root, 'harness.js'));

// JSON with every object's keys sorted as strings, as many languages' "canonical JSON" does. JSON.stringify writes
// integer-like keys first in numeric order ({"9":2,"10":1}); sorting writes {"10":1,"9":2}, so the body that a
// receiver re-serializes differs from the signed one only when the data holds such keys.
function sortedKeysJson(value) {
  if (Array.isArray(value)) return `[${value.map(sortedKeysJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${sortedKeysJson(value[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

// Each fault: a subclass that overrides the one method it breaks.
const FAULTS = {
  // The schedule: +0, +60, +300, +1800, +7200 instead of +0, +60, +360, +2160, +9360.
  'delays-from-first-attempt': class extends Dispatcher {
    async attempt(delivery, now) {
      if (delivery.firstAttemptAt === undefined) delivery.firstAttemptAt = now;
      return super.attempt(delivery, now);
    }

    nextDue(delivery) {
      return delivery.firstAttemptAt + RETRY_DELAYS[delivery.attempts - 1] * 1000;
    }
  },

  'any-2xx-is-success': class extends Dispatcher {
    isSuccess(outcome) {
      return outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
    }
  },

  // A 200 ends nothing: the delivery goes on until its fifth attempt, as if every answer had failed.
  'retries-after-200': class extends Dispatcher {
    isSuccess() {
      return false;
    }
  },

  'uppercase-hex': class extends Dispatcher {
    sign(body, secret) {
      return super.sign(body, secret).toUpperCase();
    }
  },

  // GitHub's style of header value, not Horneross's.
  'sha256-prefix': class extends Dispatcher {
    sign(body, secret) {
      return `sha256=${super.sign(body, secret)}`;
    }
  },

  // Signs and sends the pretty-printed event: self-consistent bytes, but not JSON.stringify(payload).
  'pretty-printed': class extends Dispatcher {
    serialize(event) {
      return JSON.stringify(event, null, 2);
    }
  },

  'sorted-keys': class extends Dispatcher {
    serialize(event) {
      return sortedKeysJson(event);
    }
  },

  // Each retry is built anew: a fresh evt_ id, so new body bytes and a new signature.
  'new-id-per-retry': class extends Dispatcher {
    post(delivery) {
      if (delivery.attempts > 1) {
        const event = JSON.parse(delivery.body.toString('utf8'));
        event.id = this.newId();
        delivery.body = Buffer.from(this.serialize(event), 'utf8');
        delivery.signature = this.sign(delivery.body, delivery.subscription.secret);
      }
      return super.post(delivery);
    }
  },

  'no-content-type': class extends Dispatcher {
    headers(delivery) {
      const headers = super.headers(delivery);
      delete headers['Content-Type'];
      return headers;
    }
  },

  'ignores-subscriptions': class extends Dispatcher {
    wants() {
      return true;
    }
  },

  // "The endpoint is gone": a refused connection ends the delivery instead of scheduling the next attempt.
  'gives-up-on-refused-connection': class extends Dispatcher {
    settle(delivery, outcome, now) {
      if (outcome.error === 'ECONNREFUSED') delivery.attempts = MAX_ATTEMPTS;
      super.settle(delivery, outcome, now);
    }
  },

  // Follows a 3xx Location (resolved against the endpoint's URL) and takes the final answer as the attempt's.
  'follows-redirects': class extends Dispatcher {
    async post(delivery) {
      let url = delivery.subscription.url;
      let outcome = await this.send(url, delivery.body, this.headers(delivery));
      for (let hops = 0; hops < 5 && outcome.status >= 300 && outcome.status < 400 && outcome.location; hops += 1) {
        url = new URL(outcome.location, url).href;
        outcome = await this.send(url, delivery.body, this.headers(delivery));
      }
      return outcome;
    }
  },

  // Beyond the brief's list, cheap and useful: the other faults of the Python zoo that the protocol can show.

  // An answer that never came counts as delivered.
  'timeout-is-success': class extends Dispatcher {
    isSuccess(outcome) {
      return outcome.status === 200 || outcome.error === 'timeout';
    }
  },

  // A sixth attempt, two hours after the fifth.
  'six-attempts': class extends Dispatcher {
    settle(delivery, outcome, now) {
      if (this.isSuccess(outcome) || delivery.attempts >= MAX_ATTEMPTS + 1) {
        this.pending = this.pending.filter((d) => d !== delivery);
      } else {
        delivery.due = now + RETRY_DELAYS[Math.min(delivery.attempts, RETRY_DELAYS.length) - 1] * 1000;
      }
    }
  },

  // Every endpoint's deliveries are signed with the secret of the first endpoint subscribed.
  'one-secret-for-all': class extends Dispatcher {
    subscribe(url, secret, events = null) {
      super.subscribe(url, this.subscriptions.length > 0 ? this.subscriptions[0].secret : secret, events);
    }
  },

  // The timestamp of each attempt's delivery time, not of the event: retries differ, and the first one is right.
  'timestamp-at-delivery': class extends Dispatcher {
    async attempt(delivery, now) {
      const event = JSON.parse(delivery.body.toString('utf8'));
      event.timestamp = this.timestamp(now);
      delivery.body = Buffer.from(this.serialize(event), 'utf8');
      delivery.signature = this.sign(delivery.body, delivery.subscription.secret);
      return super.attempt(delivery, now);
    }
  },

  // Forgeries: senders built to earn CONFORMANT without doing the work (issue 21). The harness serves many senders
  // from one process, so what one leaks reaches the others.

  // Delivers every event correctly, and once more to every endpoint any other sender of this process subscribed,
  // signed with that endpoint's own secret: one customer's events at every other customer's endpoints.
  'tenant-leak': class extends Dispatcher {
    subscribe(url, secret, events = null) {
      super.subscribe(url, secret, events);
      EVERY_SUBSCRIPTION.push(this.subscriptions[this.subscriptions.length - 1]);
      if (EVERY_SUBSCRIPTION.length > LEAKED_TO) EVERY_SUBSCRIPTION.shift();
    }

    emit(type, data, now) {
      const id = super.emit(type, data, now);
      const mine = new Set(this.subscriptions);
      const body = this.pending.length > 0 ? this.pending[this.pending.length - 1].body : null;
      if (body !== null) {
        for (const subscription of EVERY_SUBSCRIPTION.filter((s) => !mine.has(s))) {
          const signature = this.sign(body, subscription.secret);
          this.pending.push({ subscription, body, signature, due: toMillis(now), attempts: 0, inFlight: false });
        }
      }
      return id;
    }
  },

  // Retries on schedule, except an event whose body holds a non-ASCII character: that one is dropped after its
  // first failed attempt.
  'never-retries-non-ascii': class extends Dispatcher {
    settle(delivery, outcome, now) {
      if (!this.isSuccess(outcome) && /[^\x00-\x7f]/.test(delivery.body.toString('utf8'))) {
        delivery.attempts = MAX_ATTEMPTS;
      }
      super.settle(delivery, outcome, now);
    }
  },

  // Never delivers an event holding a lone surrogate escape: emit() answers an id and queues nothing.
  'drops-lone-surrogates': class extends Dispatcher {
    emit(type, data, now) {
      if (/\\ud[89a-f][0-9a-f]{2}/.test(JSON.stringify(data))) {
        return this.newId();
      }
      return super.emit(type, data, now);
    }
  },
};

// The last subscriptions any tenant-leak sender of this process saw: every event leaks to endpoints of several other
// checks, without thousands of deliveries.
const LEAKED_TO = 12;
const EVERY_SUBSCRIPTION = [];

if (require.main === module) {
  const usage = 'node tests/node/broken-senders.js FAULT';
  const options = parseCommandLine(process.argv.slice(2), { positionals: 1, usage });
  const [fault] = options.positionals;
  if (!Object.hasOwn(FAULTS, fault)) {
    process.stderr.write(`Unknown fault ${JSON.stringify(fault)}; the faults are: ${Object.keys(FAULTS).join(', ')}.\n`);
    process.exit(2);
  }
  const Broken = FAULTS[fault];
  listen(() => new Broken({ deliveryTimeout: options.deliveryTimeout }), options).catch((error) => {
    process.stderr.write(`Cannot serve the harness: ${error.message}\n`);
    process.exit(1);
  });
}

module.exports = { FAULTS, sortedKeysJson };
