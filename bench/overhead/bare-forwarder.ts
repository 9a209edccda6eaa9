// The floor for Node in the overhead benchmark: a bare node:http server that forwards each request
// to the upstream over a keep-alive undici pool and streams the answer back, with nothing else.
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

function flag(name: string, fallback?: string): string {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : process.argv[at + 1];
  if (value === undefined) throw new Error(`bare-forwarder: --${name} is required`);
  return value;
}

const port = Number(flag('port'));
const upstream = flag('upstream').replace(/\/+$/, '');
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256, pipelining: 1, connect: { noDelay: true } });

const server = createServer({ keepAliveTimeout: 65_000, noDelay: true }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    request(upstream + (req.url ?? '/'), {
      method: req.method as 'POST',
      headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
      body,
      dispatcher: agent,
    }).then(async (answer) => {
      const type = answer.headers['content-type'];
      const length = answer.headers['content-length'];
      res.writeHead(answer.statusCode, {
        'content-type': typeof type === 'string' ? type : 'application/json',
        ...(typeof length === 'string' ? { 'content-length': length } : {}),
      });
      for await (const chunk of answer.body) res.write(chunk);
      res.end();
    }).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: err.message, type: 'bad_gateway' } }));
    });
  });
});

server.listen(port, '127.0.0.1', () => console.log(`bare forwarder on 127.0.0.1:${port} -> ${upstream}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
