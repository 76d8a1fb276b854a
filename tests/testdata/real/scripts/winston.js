// winston 3.19.0 on Node.js v20.20.2: its default format (json, no time), json
// after timestamp(), and simple() after timestamp(). Usage: node winston.js OUTDIR
// (with winston installed: npm install winston in a scratch directory)
const winston = require('winston');
const out = process.argv[2];
const def = winston.createLogger({ transports: [new winston.transports.File({ filename: out + '/default.log' })] });
const ts = winston.createLogger({ format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  transports: [new winston.transports.File({ filename: out + '/timestamp.log' })] });
const simple = winston.createLogger({ format: winston.format.combine(winston.format.timestamp(), winston.format.simple()),
  transports: [new winston.transports.File({ filename: out + '/simple.log' })] });
const child = ts.child({ request_id: 'abc123' });
for (const l of [def, ts, simple]) {
  l.info('order received', { request_id: 'abc123' });
  l.warn('other', { request_id: 'abc1234' });
  l.error('charge failed', { request_id: 'abc123', err: 'boom' });
  l.info('spoof', { request_id: 'xabc123', note: 'abc123' });
}
child.info('from child');
setTimeout(() => {}, 300);
