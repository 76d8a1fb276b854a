// Real pino and bunyan output, default settings.  Usage: node node_loggers.js OUTDIR
// (needs pino and bunyan resolvable, e.g. NODE_PATH=/path/to/node_modules)
// Writes OUTDIR/pino/pino.log (pino() to stdout) and OUTDIR/bunyan/bunyan.log (createLogger({name}) to stdout).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function emit(which) {
  const log = which === 'pino' ? require('pino')() : require('bunyan').createLogger({ name: 'shop' });
  log.info({ request_id: 'req-4e5f6a7b', sku: 'TEA' }, 'order received');
  sleep(20);
  const child = log.child({ request_id: 'req-4e5f6a7b' });
  child.warn('payment slow');
  child.error(new Error('provider did not answer within 2.0s'), 'charge failed');
  log.info('retrying req-4e5f6a7b later'); // id only in the text
  log.info({ request_id: 'req-4e5f6a7b0' }, 'order received');
  log.info({ request_id: 'café-42' }, 'order received');
  log.info({ req: { id: 'req-9c8b7a6f', method: 'GET', url: '/api/orders' } }, 'request completed');
  child.fatal('giving up');
}

if (process.argv.length === 4) {
  emit(process.argv[3]);
} else {
  const out = process.argv[2];
  for (const which of ['pino', 'bunyan']) {
    fs.mkdirSync(path.join(out, which), { recursive: true });
    const fd = fs.openSync(path.join(out, which, `${which}.log`), 'w');
    spawnSync(process.execPath, [__filename, out, which], { stdio: ['ignore', fd, 'inherit'] });
    fs.closeSync(fd);
  }
}
