/** The localStorage key of the side panel's snapshots (panel-snapshot.ts); the tests and the bench read it too. */
export const SNAPSHOTS_KEY = 'fulcrum:panel-snapshots';
