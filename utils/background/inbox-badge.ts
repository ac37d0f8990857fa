/** The alarm that refreshes the toolbar badge (chrome.alarms: MV3 workers cannot keep their own timers). */
export const INBOX_ALARM = 'fulcrum:inbox';
export const INBOX_POLL_MINUTES = 1;

type BadgeAction = {
  setBadgeText(details: { text: string }): Promise<void> | void;
  setBadgeBackgroundColor?(details: { color: string }): Promise<void> | void;
};

/**
 * Sets the toolbar badge to the number of proposals waiting in the recruiter's inbox ('' when none, '99+' above
 * 99). When the backend cannot be asked (no token, offline) the badge is cleared rather than left stale.
 * Returns the count shown, or null when it could not be read.
 */
export async function refreshInboxBadge(
  inbox: () => Promise<{ count: number }>,
  action: BadgeAction,
): Promise<number | null> {
  let count: number | null;
  try {
    count = (await inbox()).count;
  } catch {
    count = null;
  }
  const text = !count ? '' : count > 99 ? '99+' : String(count);
  await action.setBadgeText({ text });
  if (text) await action.setBadgeBackgroundColor?.({ color: '#b45309' });
  return count;
}
