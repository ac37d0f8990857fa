/**
 * User Timing entries for the side panel's first moments, named `fulcrum:<name>` and recorded once per page: the
 * end-to-end test reads them to print where the time to show a cached candidate goes. A mark without `start`, a
 * measure from `start` (a `performance.now()` value) to now with it.
 */
const recorded = new Set<string>();

export function markPanel(name: string, start?: number): void {
  if (recorded.has(name) || typeof performance === 'undefined') return;
  recorded.add(name);
  if (start === undefined) performance.mark(`fulcrum:${name}`);
  else performance.measure(`fulcrum:${name}`, { start, end: performance.now() });
}
