import { beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { handleActivated, handleRemoved, handleRuntimeMessage } from '@/utils/background/background-context';
import { activation, activeContext, panelTabs, tabContexts } from '@/utils/shared/page-context';
import { contextOfPanelTab } from '@/utils/shared/session-state';

const a = '0b5c3f1e-7a2d-4c8e-9f10-2a3b4c5d6e7f';
const b = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';

beforeEach(() => fakeBrowser.reset());

/** The content script in tab `tab` reports a Lever candidate page. */
const reportPage = (opportunityId: string, tab: { id: number; active?: boolean }) =>
  handleRuntimeMessage({ type: 'fulcrum:page', url: `https://hire.lever.co/candidates/${opportunityId}` }, tab);

test('the active tab reporting a candidate page makes it the panel context', async () => {
  await reportPage(a, { id: 1, active: true });
  expect(await activeContext.getValue()).toMatchObject({ kind: 'candidate', opportunityId: a });
});

test("each event's changes are written with one storage call: a worker stopped mid-event leaves no half state", async () => {
  await reportPage(a, { id: 1, active: true });
  const set = vi.spyOn(fakeBrowser.storage.session, 'set');
  try {
    await reportPage(b, { id: 2, active: true });
    // The tab's report, the activation and the context, together.
    expect(set).toHaveBeenCalledTimes(1);
    expect(Object.keys(set.mock.calls[0]![0] as object).sort()).toEqual(['activation', 'activeContext', 'tabContexts']);
    set.mockClear();
    await handleActivated(1);
    expect(set).toHaveBeenCalledTimes(1);
    expect(Object.keys(set.mock.calls[0]![0] as object).sort()).toEqual(['activation', 'activeContext']);
    // An event that changes nothing writes nothing.
    set.mockClear();
    await handleRemoved(77);
    expect(set).not.toHaveBeenCalled();
  } finally {
    set.mockRestore();
  }
  expect(await activeContext.getValue()).toMatchObject({ opportunityId: a });
  expect(await activation.getValue()).toMatchObject({ current: 1, previous: 2 });
});

test('a background tab reporting does not steal the context', async () => {
  await reportPage(a, { id: 1, active: true });
  await reportPage(b, { id: 2, active: false });
  expect(await activeContext.getValue()).toMatchObject({ opportunityId: a });
});

test('switching back to a tab restores the candidate that tab reported', async () => {
  await reportPage(a, { id: 1, active: true });
  await reportPage(b, { id: 2, active: true });
  expect(await activeContext.getValue()).toMatchObject({ opportunityId: b });
  await handleActivated(1);
  expect(await activeContext.getValue()).toMatchObject({ opportunityId: a });
});

test('a side panel opened as a tab describes the tab it was opened from', async () => {
  await reportPage(a, { id: 1, active: true });
  await handleActivated(9); // the panel tab becomes active before it can announce itself
  expect(await activeContext.getValue()).toEqual({ kind: 'none' });
  await handleRuntimeMessage({ type: 'fulcrum:panel-tab' }, { id: 9, active: true });
  expect(await activeContext.getValue()).toMatchObject({ opportunityId: a });
});

test('a panel tab opened before the Lever page finished loading still picks up that page', async () => {
  // Tab 1 is still loading when the panel tab (9) opens and announces itself; then tab 1's content script reports.
  await handleRuntimeMessage({ type: 'fulcrum:panel-tab' }, { id: 9, active: true });
  await reportPage(a, { id: 1, active: false });
  expect(await activeContext.getValue()).toMatchObject({ opportunityId: a });
  // Another background tab does not take over what the panel describes.
  await reportPage(b, { id: 2, active: false });
  expect(await activeContext.getValue()).toMatchObject({ opportunityId: a });
});

test('a panel tab activated before the Lever page reported, announcing after it, describes that page', async () => {
  await handleActivated(9); // the panel tab is focused; the Lever tab (1) never fired an activation
  await reportPage(a, { id: 1, active: false });
  await handleRuntimeMessage({ type: 'fulcrum:panel-tab' }, { id: 9, active: true });
  expect(await activeContext.getValue()).toMatchObject({ opportunityId: a });
});

test('a panel tab opened right after another panel tab still describes the Lever page', async () => {
  await reportPage(a, { id: 1, active: true });
  await handleActivated(8);
  await handleRuntimeMessage({ type: 'fulcrum:panel-tab' }, { id: 8, active: true });
  // Panel tab 8 is closed and its neighbour, panel tab 7, was focused just before panel tab 9 opened.
  await handleRuntimeMessage({ type: 'fulcrum:panel-tab' }, { id: 7, active: false });
  await handleActivated(7);
  await handleActivated(9);
  await handleRuntimeMessage({ type: 'fulcrum:panel-tab' }, { id: 9, active: true });
  expect(await activeContext.getValue()).toMatchObject({ opportunityId: a });
});

test('a page report arriving while a panel tab is being activated is not lost', async () => {
  // Chrome can deliver both events at once; handled interleaved, one handler overwrote the other's session writes.
  await Promise.all([reportPage(a, { id: 1, active: true }), handleActivated(9)]);
  expect(await activation.getValue()).toEqual({ current: 9, previous: 1, lastReported: 1 });
  await handleRuntimeMessage({ type: 'fulcrum:panel-tab' }, { id: 9, active: true });
  expect(await activeContext.getValue()).toMatchObject({ opportunityId: a });
});

test('malformed messages are ignored', async () => {
  await handleRuntimeMessage('hello', { id: 1 });
  await handleRuntimeMessage({ type: 'fulcrum:page', url: 42 }, { id: 1 });
  expect(await activeContext.getValue()).toEqual({ kind: 'none' });
});

test('a closed tab is forgotten: its report, its panel-tab entry and its place in the activation state', async () => {
  await reportPage(a, { id: 1, active: true });
  await reportPage(b, { id: 2, active: true });
  await handleActivated(9);
  await handleRuntimeMessage({ type: 'fulcrum:panel-tab' }, { id: 9, active: true });
  expect(await panelTabs.getValue()).toEqual([9]);

  await handleRemoved(2);
  await handleRemoved(9);
  expect(Object.keys(await tabContexts.getValue())).toEqual(['1']);
  expect(await panelTabs.getValue()).toEqual([]);
  const state = await activation.getValue();
  expect(Object.values(state)).not.toContain(2);
  expect(Object.values(state)).not.toContain(9);
  // What the panel shows is not changed by closing tabs; the next activation decides.
  expect(await activeContext.getValue()).toMatchObject({ opportunityId: b });
});

test('a panel tab opened while another panel tab still counts as focused shows the page it came from', () => {
  // Headless Chrome fired no activation for the new panel tab (12): `current` is still the older panel tab (9).
  const lever = { kind: 'candidate' as const, opportunityId: a, url: `https://hire.lever.co/candidates/${a}` };
  const state = {
    activation: { current: 9, previous: 1, lastReported: 1 },
    tabContexts: { '1': lever },
    activeContext: { kind: 'none' as const },
    panelTabs: [9],
  };
  expect(contextOfPanelTab(12, state)).toEqual(lever);
  // A page tab with the focus decides, by its own report (a worker stopped between two writes can leave the active
  // context saying 'none' for it), and by the active context when it reported nothing (not a Lever page).
  const other = { kind: 'candidate' as const, opportunityId: b, url: `https://hire.lever.co/candidates/${b}` };
  const focused = { ...state, activation: { current: 2, previous: 1 }, tabContexts: { '1': lever, '2': other } };
  expect(contextOfPanelTab(12, focused)).toEqual(other);
  expect(contextOfPanelTab(12, { ...focused, tabContexts: { '1': lever } })).toEqual({ kind: 'none' });
});

test('activating a panel page that has not announced itself yet leaves the context alone', async () => {
  await reportPage(a, { id: 100, active: true });
  const panel = await fakeBrowser.tabs.create({ url: fakeBrowser.runtime.getURL('/sidepanel.html') });
  await handleActivated(panel.id!);
  expect(await activeContext.getValue()).toMatchObject({ kind: 'candidate', opportunityId: a });
  expect(await activation.getValue()).toMatchObject({ current: panel.id, previous: 100 });
});
