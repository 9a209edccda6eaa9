// Channel health as a circuit breaker: after N consecutive failures a channel is skipped for a
// cool-down, then one request probes it (half-open): success closes the circuit, failure reopens
// it. State lives in shared state so every instance sees the same circuits.
import type { ChannelHealth, SharedState } from '../state/shared-state.ts';

export interface CircuitSettings {
  failureThreshold: number;
  cooldownMs: number;
}

export class ChannelHealthTracker {
  private readonly state: SharedState;
  private readonly settings: CircuitSettings;
  /** Local copy so the hot path does not ask shared state about healthy channels on every request. */
  private readonly local = new Map<string, { health: ChannelHealth; fetched: number }>();

  constructor(state: SharedState, settings: CircuitSettings) {
    this.state = state;
    this.settings = settings;
  }

  private async read(channel: string): Promise<ChannelHealth> {
    const cached = this.local.get(channel);
    if (cached && (this.state.kind === 'memory' || Date.now() - cached.fetched < 1000)) return cached.health;
    const health = await this.state.getHealth(channel);
    this.local.set(channel, { health, fetched: Date.now() });
    return health;
  }

  /** True when requests may go to the channel (circuit closed, or open long enough to probe). */
  async isAvailable(channel: string): Promise<boolean> {
    const health = await this.read(channel);
    return health.openUntil <= Date.now();
  }

  async recordFailure(channel: string): Promise<void> {
    const current = await this.state.getHealth(channel);
    const failures = current.consecutiveFailures + 1;
    const health = { consecutiveFailures: failures, openUntil: failures >= this.settings.failureThreshold ? Date.now() + this.settings.cooldownMs : 0 };
    await this.state.setHealth(channel, health);
    this.local.set(channel, { health, fetched: Date.now() });
  }

  async recordSuccess(channel: string): Promise<void> {
    const current = await this.read(channel);
    if (current.consecutiveFailures === 0 && current.openUntil === 0) return;
    const health = { consecutiveFailures: 0, openUntil: 0 };
    await this.state.setHealth(channel, health);
    this.local.set(channel, { health, fetched: Date.now() });
  }
}
