// What an encoder could not carry into its target format, counted by wire type. Every format's
// conversation and tool encoders add to one of these; reports and the dropped-items header read it.

/**
 * Counts of items a target format could not carry, by wire type (e.g. `{ web_search_call: 2 }`).
 * Encoders take it as an optional out-parameter and add to it; pass `{}` and read it afterwards,
 * or use `droppedList` for the `{ type, count }[]` form that reports carry.
 */
export type DropReport = Record<string, number>;

/** A drop report as a list sorted by type (stable, for reports and logs). */
export function droppedList(report: DropReport): { type: string; count: number }[] {
  return Object.keys(report).sort().map((type) => ({ type, count: report[type] }));
}
