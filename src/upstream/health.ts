// Channel health as circuit breakers that one tenant cannot trip for all. Every key has its own
// breaker per channel: its failures open it (that key fails over, nobody else notices). The
// channel's shared breaker opens only when `failureThreshold` failures in a row came from at least
// `minKeys` distinct keys. After the cool-down a breaker is half-open: exactly one request, on any
// instance (the probe is claimed atomically in shared state), goes through; success closes it; a
// failure reopens it once failures again come from `minKeys` keys (so one key cannot keep a
// channel shut by failing every probe). State lives in shared state so every instance agrees.
import { HEALTHY, type ChannelHealth, type SharedState } from '../state/shared-state.ts';

export interface CircuitSettings {
  failureThreshold: number;
  cooldownMs: number;
  /** Distinct keys whose failures it takes to open the shared breaker (default 2). */
  minKeys?: number;
  /** How long a probe may hold a half-open breaker before another request may probe (default: the cool-down). */
  probeTimeoutMs?: number;
}

/** What a request holds while it is tried on a channel: the probes it claimed, to give back when it ends. */
export interface CircuitPass {
  channel: string;
  key: string | undefined;
  probes: string[];
}

export interface ChannelStatus {
  state: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  /** ISO time until which the channel is skipped, when open. */
  openUntil: string | null;
  /** The last failure: an HTTP status, `auth_401`/`auth_403` (the channel's own key refused), or a transport error code. */
  lastError: string | null;
  lastErrorAt: string | null;
}

/** The breaker of one key on one channel (the unit separator cannot appear in a channel name from a config or the CLI). */
const perKey = (channel: string, key: string) => `${channel}\u001fkey\u001f${key}`;

export class ChannelHealthTracker {
  private readonly state: SharedState;
  private readonly settings: Required<CircuitSettings>;
  /** Local copy so the hot path does not ask shared state about healthy channels on every request. */
  private readonly local = new Map<string, { health: ChannelHealth; fetched: number }>();

  constructor(state: SharedState, settings: CircuitSettings) {
    this.state = state;
    this.settings = { minKeys: 2, probeTimeoutMs: settings.cooldownMs, ...settings };
  }

  private circuitsOf(channel: string, key: string | undefined): string[] {
    return key === undefined ? [channel] : [channel, perKey(channel, key)];
  }

  private async read(circuit: string, fresh = false): Promise<ChannelHealth> {
    const cached = this.local.get(circuit);
    if (!fresh && cached && (this.state.kind === 'memory' || Date.now() - cached.fetched < 1000)) return cached.health;
    const health = await this.state.getHealth(circuit);
    this.local.set(circuit, { health, fetched: Date.now() });
    return health;
  }

  /** Applies `update` to the circuit's health in shared state, atomically (no failure counted by another request is lost). */
  private async update(circuit: string, update: (current: ChannelHealth) => ChannelHealth): Promise<void> {
    const health = await this.state.updateHealth(circuit, update);
    this.local.set(circuit, { health, fetched: Date.now() });
  }

  /** False while the channel's shared breaker or this key's own breaker is open and cooling down. */
  async isAvailable(channel: string, key?: string): Promise<boolean> {
    const now = Date.now();
    for (const circuit of this.circuitsOf(channel, key)) if ((await this.read(circuit)).openUntil > now) return false;
    return true;
  }

  /**
   * Lets a request try the channel: a pass when every breaker is closed, or half-open and this
   * request won its probe; undefined when one is open or another request is probing it.
   */
  async enter(channel: string, key?: string): Promise<CircuitPass | undefined> {
    const pass: CircuitPass = { channel, key, probes: [] };
    for (const circuit of this.circuitsOf(channel, key)) {
      const health = await this.read(circuit);
      if (health.openUntil === 0) continue;
      if (health.openUntil <= Date.now()) {
        if (await this.state.claimProbe(circuit, this.settings.probeTimeoutMs)) {
          pass.probes.push(circuit);
          continue;
        }
        if ((await this.read(circuit, true)).openUntil === 0) continue;
      }
      await this.abandon(pass);
      return undefined;
    }
    return pass;
  }

  /** Counts a failure (`fault`: the status or error code) against this key's breaker and the channel's. */
  async recordFailure(pass: CircuitPass, fault: string): Promise<void> {
    const now = Date.now();
    const key = pass.key ?? '';
    for (const circuit of this.circuitsOf(pass.channel, pass.key)) {
      const minKeys = circuit === pass.channel ? this.settings.minKeys : 1;
      await this.update(circuit, (current) => {
        const failures = current.consecutiveFailures + 1;
        const keys = current.failingKeys?.includes(key) ? current.failingKeys : [...(current.failingKeys ?? []), key].slice(-minKeys);
        const opens = failures >= this.settings.failureThreshold && keys.length >= minKeys;
        return {
          consecutiveFailures: failures,
          openUntil: opens ? now + this.settings.cooldownMs : current.openUntil,
          failingKeys: opens ? [] : keys,
          lastError: fault,
          lastErrorAt: now,
        };
      });
    }
    await this.abandon(pass);
  }

  async recordSuccess(pass: CircuitPass): Promise<void> {
    for (const circuit of this.circuitsOf(pass.channel, pass.key)) {
      const current = await this.read(circuit, pass.probes.includes(circuit));
      if (current.consecutiveFailures === 0 && current.openUntil === 0) continue;
      await this.update(circuit, (latest) => ({ ...HEALTHY, lastError: latest.lastError, lastErrorAt: latest.lastErrorAt }));
    }
    await this.abandon(pass);
  }

  /** Gives back the probes a request held without judging the channel (the client left, or the request was the client's fault). */
  async abandon(pass: CircuitPass): Promise<void> {
    for (const circuit of pass.probes) await this.state.releaseProbe(circuit);
    pass.probes = [];
  }

  /** The shared breaker's state, for the admin API and console. */
  async status(channel: string): Promise<ChannelStatus> {
    const health = await this.read(channel, true);
    const now = Date.now();
    return {
      state: health.openUntil === 0 ? 'closed' : health.openUntil > now ? 'open' : 'half-open',
      consecutiveFailures: health.consecutiveFailures,
      openUntil: health.openUntil > now ? new Date(health.openUntil).toISOString() : null,
      lastError: health.lastError ?? null,
      lastErrorAt: health.lastErrorAt ? new Date(health.lastErrorAt).toISOString() : null,
    };
  }
}
