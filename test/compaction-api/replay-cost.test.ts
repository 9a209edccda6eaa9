// What compaction costs an agent that resends its history, turn by turn through the running relay
// under cache-aware prices: on the real sessions where it cost the most (a Claude Code main thread
// behind /compact/v1/messages, the OpenHands resolver behind /compact/v1/chat/completions) it
// never costs more than sending everything uncompacted, and keeps one prefix break per event,
// also where a refused turn comes between two events (an aider session whose newest turn alone
// is over the budget: the only kind of refusal allowed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRealSessions } from '../../bench/compaction/real-sessions.ts';
import { replayWindow } from '../../bench/compaction/real-run.ts';
import { replaySession, startReplayRig, type ReplayRig } from '../../bench/compaction/replay.ts';

const SESSIONS = ['claude-code project/5c0375b4-57 main', 'openhands-resolver pr-viewer#1', 'aider 2024-08-14 06:20:09'];

describe('cost of compaction turn by turn on real sessions', () => {
  let rig: ReplayRig;

  before(async () => {
    rig = await startReplayRig();
  });

  after(async () => {
    await rig.close();
  });

  for (const id of SESSIONS) {
    test(`${id}: at most the cost of no compaction, one prefix break per event`, async () => {
      const session = loadRealSessions().find((s) => s.id === id);
      assert.ok(session, `${id} loads`);
      const r = await replaySession(rig, session, { window: replayWindow(session) });
      assert.deepEqual(r.errors, []);
      assert.equal(r.refusals, r.unfitRefusals, 'a turn is refused only when its newest turn alone is over the budget');
      assert.ok(r.compactedTurns > 0, 'compaction triggered');
      assert.ok(r.prefixBreaks <= r.events, `${r.prefixBreaks} prefix breaks for ${r.events} events`);
      assert.ok(r.costRatio <= 1, `cost ${r.costRatio.toFixed(2)}× no compaction`);
    });
  }
});
