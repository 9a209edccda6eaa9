// Counts the items the engine's passes visit, so tests and benchmarks can check that its cost
// grows linearly with the conversation by counting work rather than timing it on a noisy machine.

let visits = 0;

/** Records that a pass visited `items` items. */
export function countVisits(items: number): void {
  visits += items;
}

/** Items visited since the last reset. */
export function visitedItems(): number {
  return visits;
}

export function resetWorkMeter(): void {
  visits = 0;
}
