/**
 * Resolves once the browser has produced the next frame (a task queued from an animation-frame callback runs after
 * that frame was handed to the compositor). The side panel starts refreshing a cached result only then, so the
 * refresh's work (messaging, store updates, re-renders) does not delay the first paint of what is already known.
 * Falls back to a plain task where there are no animation frames (a hidden page gets none).
 */
export function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame !== 'function' || document.visibilityState === 'hidden') {
      setTimeout(resolve, 0);
      return;
    }
    requestAnimationFrame(() => setTimeout(resolve, 0));
  });
}

/**
 * Resolves once the browser reports the element marked `elementtiming="<identifier>"` as painted (Element Timing
 * entries arrive after the frame was presented, not just handed to the compositor), or after `maxMs`. On a busy
 * machine presenting a frame takes tens of ms more than producing it, and starting heavy work earlier delays it.
 * Falls back to the next frame where Element Timing does not exist, and to a plain task on a hidden page.
 */
export function afterElementPainted(identifier: string, maxMs = 300): Promise<void> {
  const observable =
    typeof PerformanceObserver !== 'undefined' && PerformanceObserver.supportedEntryTypes?.includes('element');
  if (!observable || document.visibilityState === 'hidden') return afterNextPaint();
  return new Promise((resolve) => {
    const finish = () => {
      observer.disconnect();
      clearTimeout(timer);
      resolve();
    };
    const observer = new PerformanceObserver((list) => {
      if (
        list
          .getEntries()
          .some((entry) => (entry as PerformanceEntry & { identifier?: string }).identifier === identifier)
      )
        finish();
    });
    observer.observe({ type: 'element', buffered: true });
    const timer = setTimeout(finish, maxMs);
  });
}

/**
 * Runs `start` once for a component's mount: at once when nothing is on screen yet, after the next paint when a
 * cached result already is. Returns the effect's cleanup, which cancels a start that has not happened yet.
 */
export function startAfterPaint(hasCachedContent: boolean, start: () => void): () => void {
  let cancelled = false;
  if (!hasCachedContent) start();
  else void afterNextPaint().then(() => !cancelled && start());
  return () => {
    cancelled = true;
  };
}

/**
 * Runs `run` once the page is idle (its first frames are done), or after `timeoutMs` at the latest; plain task where
 * idle callbacks do not exist.
 */
export function whenIdle(run: () => void, timeoutMs = 1000): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => run(), { timeout: timeoutMs });
  else setTimeout(run, 0);
}
