// The receiver from the Horneross documentation ("Verificar firma"), unchanged but for the lines
// marked "harness": the app itself, express.json(), verificarWebhook and the handler are the documented code.
const express = require('express'); // harness
const app = express(); // harness
app.use(express.json()); // harness: the documentation reads req.body, which Express fills with express.json()

const crypto = require('crypto');

function verificarWebhook(payload, signature, secret) {
  const expected = crypto
    .createHmac('sha256', secret)
    .update(JSON.stringify(payload))
    .digest('hex');

  return signature === expected;
}

app.post('/webhook', (req, res) => {
  const signature = req.headers['x-horneross-signature'];

  if (!verificarWebhook(req.body, signature, process.env.WEBHOOK_SECRET)) {
    return res.status(401).send('Firma inválida');
  }

  // Procesar evento
  console.log('Evento:', req.body.type);

  res.status(200).send('OK');
});

// harness: listen on 127.0.0.1 and the port given (0: any free one), and say which on the first stdout line
const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
