// JSON.stringify(JSON.parse(text)) as Node computes it, for the differential tests.
// One request per line on stdin: a JSON string literal holding the document's text.
// One answer per line on stdout: base64 of the UTF-8 bytes of JSON.stringify(JSON.parse(text)),
// or "!" followed by the error message when JSON.parse rejects the text.
// A request may also be an array of such strings: the answer is then a JSON array of those answers.
// A request may also be {"hmac": [secretText, bodyBase64]}: the answer is the hex HMAC-SHA256 that the
// documented receiver computes, crypto.createHmac('sha256', secret).update(JSON.stringify(JSON.parse(body))).
'use strict';
const crypto = require('crypto');
const readline = require('readline');

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
function reserialize(text) {
  try {
    return Buffer.from(JSON.stringify(JSON.parse(text)), 'utf8').toString('base64');
  } catch (error) {
    return '!' + String(error.message).replace(/\n/g, ' ');
  }
}

rl.on('line', (line) => {
  let answer;
  try {
    const request = JSON.parse(line);
    if (typeof request === 'string') {
      answer = reserialize(request);
    } else if (Array.isArray(request)) {
      answer = JSON.stringify(request.map(reserialize));
    } else {
      const [secret, bodyBase64] = request.hmac;
      const payload = JSON.parse(Buffer.from(bodyBase64, 'base64').toString('utf8'));
      answer = crypto.createHmac('sha256', secret).update(JSON.stringify(payload)).digest('hex');
    }
  } catch (error) {
    answer = '!' + String(error.message).replace(/\n/g, ' ');
  }
  process.stdout.write(answer + '\n');
});
