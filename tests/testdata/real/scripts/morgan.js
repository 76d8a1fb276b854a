// morgan (Express's request logger) in its predefined formats, and Express's
// default error handler on stderr.  Usage: node morgan.js OUTDIR 2> OUTDIR/stderr.log
// (needs express and morgan resolvable, e.g. NODE_PATH=/path/to/node_modules;
// listens on 127.0.0.1:18125). Writes OUTDIR/{dev,tiny,short,combined}.log.
const express = require('express');
const morgan = require('morgan');
const fs = require('fs');

const out = process.argv[2];
const app = express();
for (const format of ['dev', 'tiny', 'short', 'combined']) {
  app.use(morgan(format, { stream: fs.createWriteStream(`${out}/${format}.log`) }));
}
app.get('/', (req, res) => res.send('ok'));
app.get('/boom', (req) => {
  throw new Error(`boom request_id=${req.query.request_id}`);
});
const server = app.listen(18125, '127.0.0.1', async () => {
  for (const q of ['/?request_id=abc123', '/boom?request_id=abc123', '/?request_id=abc1234']) {
    await fetch(`http://127.0.0.1:18125${q}`, { headers: { 'User-Agent': 'curl/7.88.1' } });
  }
  setTimeout(() => server.close(), 200);
});
