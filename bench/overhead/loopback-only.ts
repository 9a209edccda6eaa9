// Preloaded (`node --import`) into the Portkey gateway for the benchmark: its server listens on
// every interface by default, so each listen() on a bare port is bound to 127.0.0.1 instead.
import net from 'node:net';

type Listen = (this: net.Server, ...args: unknown[]) => net.Server;
const listen = net.Server.prototype.listen as unknown as Listen;

function loopbackListen(this: net.Server, ...args: unknown[]): net.Server {
  const [first, second] = args;
  if (typeof first === 'number' && typeof second !== 'string') return listen.call(this, first, '127.0.0.1', ...args.slice(1));
  if (first && typeof first === 'object' && !('host' in first) && !('fd' in first)) return listen.call(this, { ...first, host: '127.0.0.1' }, ...args.slice(1));
  return listen.apply(this, args);
}

net.Server.prototype.listen = loopbackListen as unknown as typeof net.Server.prototype.listen;
