// Heavy main-thread steps (parsing a multi-megabyte body, decoding it, copying it to a worker)
// taken one per event-loop turn. Several large requests arriving together would otherwise run
// their steps back to back in one turn, and /healthz would wait for all of them; here each step
// waits for the previous one to finish and for the loop to poll once in between.
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Bodies and conversations above this many bytes take their turn; smaller ones run at once. */
export const HEAVY_BYTES = 256 * 1024;

let queue: Promise<void> = Promise.resolve();

/**
 * Waits for this step's turn; call the returned function when the step is done. The next step
 * starts in a later turn of the event loop, after I/O (other requests) has been polled.
 */
export async function loopTurn(): Promise<() => void> {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  const previous = queue;
  queue = previous.then(() => done).then(() => nextTurn());
  await previous;
  return release;
}

/** Runs `step` in its own turn when `bytes` is large, at once otherwise. */
export async function inTurn<T>(bytes: number, step: () => T): Promise<T> {
  if (bytes < HEAVY_BYTES) return step();
  const release = await loopTurn();
  try {
    return step();
  } finally {
    release();
  }
}
