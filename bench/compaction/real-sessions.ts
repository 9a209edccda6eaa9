// Every long real session in test/fixtures/trajectories/real/, ready to benchmark: the
// conversation as the relay's loaders read it, the wire format an agent would send it in, and the
// raw session that facts.ts derives its facts from independently.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Conversation } from '../../src/conversation/model.ts';
import { loadSessionFile } from '../../src/conversation/trajectories.ts';
import { largestAiderSessions } from '../../src/conversation/loaders/aider.ts';
import { claudeCodeThreads } from '../../src/conversation/loaders/claude-code.ts';
import { countConversationTokens } from '../../src/compaction/index.ts';
import type { RawSession } from './facts.ts';

export interface RealSession {
  /** Short unique name for tables. */
  id: string;
  /** File under test/fixtures/trajectories/real/. */
  file: string;
  agent: string;
  wire: 'chat' | 'anthropic';
  conversation: Conversation;
  tokens: number;
  raw: RawSession;
  /**
   * A short recorded run (SWE-agent's, 5–13k tokens with a ~2k-token system prompt) rather than a
   * long session of real/: judged at equal budgets and replayed, but not held to the replay's cost
   * targets (in a window the system prompt and the task fill up to half, an event frees little
   * room and the next one comes a few turns later).
   */
  short?: boolean;
}

export const REAL_ROOT = new URL('../../test/fixtures/trajectories/real/', import.meta.url).pathname;
/** Sessions below this size are left out: there is nothing to compact at 50%. */
export const MIN_TOKENS = 5000;
/** aider's history holds ~1,100 sessions; the largest few are taken. */
export const AIDER_SESSIONS = 3;

const shortName = (file: string) => {
  const m = /(\w+__\w+-\d+)/.exec(file) ?? /__(\w{8})-/.exec(file);
  return m ? m[1].replace('__', '/') : file.slice(0, 40);
};

function jsonl(text: string): any[] {
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** SWE-agent's recorded runs (a text-protocol agent; its function-calling runs too) sit with the short trajectories. */
export const SWE_AGENT_ROOT = new URL('../../test/fixtures/trajectories/swe-agent/', import.meta.url).pathname;

/** A SWE-agent run's name: the challenge, or the instance and the configuration it ran with. */
function sweAgentName(file: string): string {
  const parts = file.replace(/\.traj$/, '').split('__');
  return parts[0] === 'replay' ? `${parts[2]} ${parts[3]}` : parts.join('/');
}

/** A SWE-agent run (its `.traj` text and parsed data) as a session to benchmark. */
const sweAgentSession = (id: string, file: string, text: string, data: any): Omit<RealSession, 'tokens'> => ({ id, file, agent: 'SWE-agent', wire: 'chat', conversation: loadSessionFile(text, file).conversation, raw: { kind: 'swe-agent', data } });

/**
 * Every session to benchmark. A file of a format this benchmark has no raw reader for is read by
 * the relay's loaders and its facts from the loaded conversation (`facts/generic.ts`); a file no
 * loader reads is named in `skipped` with the reason.
 */
export function loadRealSessions(root = REAL_ROOT, sweAgentRoot: string | null = root === REAL_ROOT ? SWE_AGENT_ROOT : null, skipped: string[] = []): RealSession[] {
  const out: RealSession[] = [];
  const add = (s: Omit<RealSession, 'tokens'>) => {
    const tokens = countConversationTokens(s.conversation);
    if (tokens >= MIN_TOKENS) out.push({ ...s, tokens });
  };
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(json|jsonl|md|traj)$/.test(f) && !/(^|\/)(NOTICE|README|LICENSE)[^/]*$/i.test(f)).sort();
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    if (file.startsWith('openhands_codeact')) {
      add({ id: `openhands ${shortName(file)}`, file, agent: 'OpenHands CodeAct', wire: 'chat', conversation: loadSessionFile(text, file).conversation, raw: { kind: 'openhands-chat', data: JSON.parse(text) } });
    } else if (file.startsWith('openhands_events')) {
      const runs = jsonl(text).filter((r) => Array.isArray(r.history));
      const longest = runs.reduce((a, b) => (b.history.length > a.history.length ? b : a));
      add({ id: `openhands-resolver ${longest.issue?.repo ?? ''}#${longest.issue?.number ?? ''}`, file, agent: 'OpenHands resolver', wire: 'chat', conversation: loadSessionFile(text, file).conversation, raw: { kind: 'openhands-resolver', run: longest } });
    } else if (file.startsWith('mini_swe_agent')) {
      add({ id: `mini-swe-agent ${shortName(file)}`, file, agent: 'mini-swe-agent v2', wire: 'chat', conversation: loadSessionFile(text, file).conversation, raw: { kind: 'mini-swe-agent', data: JSON.parse(text) } });
    } else if (file.startsWith('aider')) {
      for (const s of largestAiderSessions(text, AIDER_SESSIONS)) {
        add({ id: `aider ${s.startedAt}`, file, agent: 'aider', wire: 'chat', conversation: s.conversation, raw: { kind: 'aider', fileText: text, startedAt: s.startedAt } });
      }
    } else if (file.startsWith('claude_code')) {
      const records = jsonl(text);
      for (const t of claudeCodeThreads(records)) {
        add({ id: `claude-code ${shortName(file)} ${t.sidechain ? `sub-agent ${t.id.slice(0, 8)}` : 'main'}`, file, agent: 'Claude Code', wire: 'anthropic', conversation: t.conversation, raw: { kind: 'claude-code', records, thread: t.id } });
      }
    } else {
      addUnnamed(file, text);
    }
  }
  /** A file in a folder this benchmark does not name: a SWE-agent run by its shape, else whatever the relay's loaders read. */
  function addUnnamed(file: string, text: string): void {
    let data: any;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    if (Array.isArray(data?.trajectory) && Array.isArray(data?.history)) {
      add(sweAgentSession(`swe-agent ${shortName(file)}`, file, text, data));
      return;
    }
    try {
      const loaded = loadSessionFile(text, file);
      const wire = /claude-code/i.test(loaded.source) ? 'anthropic' : 'chat';
      add({ id: `${loaded.source} ${shortName(file)}`, file, agent: loaded.source, wire, conversation: loaded.conversation, raw: { kind: 'generic', conversation: loaded.conversation } });
    } catch (err) {
      skipped.push(`${file}: ${(err as Error).message.slice(0, 200)}`);
    }
  }
  for (const file of sweAgentRoot ? readdirSync(sweAgentRoot).filter((f) => f.endsWith('.traj')).sort() : []) {
    const text = readFileSync(join(sweAgentRoot as string, file), 'utf8');
    add({ ...sweAgentSession(`swe-agent ${sweAgentName(file)}`, `../swe-agent/${file}`, text, JSON.parse(text)), short: true });
  }
  return out;
}
