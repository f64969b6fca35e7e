/** A clock that moves only when told: pass `now` where the code takes one. */
export function manualClock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}
