import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { InboxPanel } from '@/components/inbox/InboxPanel';
import { SidePanel } from '@/components/panel/SidePanel';
import { ApiProvider } from '@/components/ui/api-context';
import { refreshInboxBadge } from '@/utils/background/inbox-badge';
import type { InboxItem } from '@/utils/contracts/automations.ts';
import { resetPanelStore } from '@/utils/panel/store';
import type { FulcrumApi } from '@/utils/shared/messaging';
import { activeContext } from '@/utils/shared/page-context';
import { A, B, fakeApi, proposal } from './fixtures';

beforeEach(() => {
  fakeBrowser.reset();
  resetPanelStore();
});

function renderWith(ui: ReactNode, api: FulcrumApi) {
  return render(<ApiProvider api={api}>{ui}</ApiProvider>);
}

function item(over: Partial<InboxItem>): InboxItem {
  return {
    proposalId: 'p-1',
    opportunityId: A,
    candidateName: 'Ada Lovelace',
    postingTitle: 'Senior Backend Engineer',
    kind: 'match-summary',
    summary: 'Note: Score 82/100 (strong).',
    reason: 'New application to Senior Backend Engineer: scored 82/100 (strong).',
    payload: { note: { text: 'Score 82/100 (strong).' } },
    createdBy: 'automation',
    createdAt: '2026-11-26T10:00:00.000Z',
    leverUrl: `https://hire.lever.co/candidates/${A}`,
    ...over,
  };
}

/** The fake backend's proposal store seeded with what the inbox lists, so dry-run/approve/discard work on them. */
function inboxApi(items: InboxItem[]) {
  const base = fakeApi();
  const state = new Map(
    items.map((i) => [
      i.proposalId,
      proposal({ id: i.proposalId, opportunityId: i.opportunityId, kind: i.kind, payload: i.payload }),
    ]),
  );
  const approveProposal = vi.fn(async ({ id, dryRun }: { id: string; dryRun: boolean }) => {
    const p = state.get(id);
    if (!p) throw new Error(`unknown proposal ${id}`);
    const next = dryRun ? p : proposal({ ...p, status: 'written', result: { written: ['note'], noteId: 'n-1' } });
    state.set(id, next);
    return next;
  });
  const discardProposal = vi.fn(async ({ id }: { id: string }) => {
    const p = proposal({ ...state.get(id), status: 'discarded' });
    state.set(id, p);
    return p;
  });
  const inbox = vi.fn(async () => {
    const pending = items.filter((i) => state.get(i.proposalId)?.status === 'pending');
    return { items: pending, count: pending.length };
  });
  return { ...base, approveProposal, discardProposal, inbox } as FulcrumApi & typeof base;
}

test('inbox lists what is waiting, with who, what, why and a link to Lever', async () => {
  const api = inboxApi([
    item({
      proposalId: 'p-2',
      opportunityId: B,
      candidateName: 'Grace Hopper',
      kind: 'tag',
      summary: 'Add tags: fulcrum:strong-match',
      payload: { addTags: ['fulcrum:strong-match'] },
      leverUrl: `https://hire.lever.co/candidates/${B}`,
    }),
    item({}),
  ]);
  renderWith(<InboxPanel />, api);
  const rows = await screen.findAllByTestId('inbox-item');
  expect(rows).toHaveLength(2);
  expect(screen.getByRole('heading', { name: 'Inbox (2)' })).toBeInTheDocument();
  expect(within(rows[0]!).getByRole('heading')).toHaveTextContent('Grace Hopper · Tag');
  expect(within(rows[0]!).getByText('Add tags: fulcrum:strong-match')).toBeInTheDocument();
  expect(within(rows[1]!).getByText(/Why: New application .* scored 82\/100/)).toBeInTheDocument();
  expect(within(rows[1]!).getByRole('link', { name: 'Open in Lever' })).toHaveAttribute(
    'href',
    `https://hire.lever.co/candidates/${A}`,
  );
});

test('discard removes the item; approve reviews the existing proposal (no new one) and writes it', async () => {
  const user = userEvent.setup();
  const api = inboxApi([item({ proposalId: 'p-2', candidateName: 'Grace Hopper' }), item({})]);
  renderWith(<InboxPanel />, api);
  const rows = await screen.findAllByTestId('inbox-item');
  await user.click(within(rows[0]!).getByRole('button', { name: 'Discard' }));
  await waitFor(() => expect(screen.getAllByTestId('inbox-item')).toHaveLength(1));
  expect(api.discardProposal).toHaveBeenCalledWith({ id: 'p-2' });

  await user.click(screen.getByRole('button', { name: 'Review and approve' }));
  const approve = await screen.findByRole('button', { name: 'Approve and write to Lever' });
  await waitFor(() => expect(approve).toBeEnabled());
  expect(api.createProposal).not.toHaveBeenCalled();
  expect(screen.getByTestId('note-preview')).toHaveTextContent('Score 82/100 (strong).');
  await user.click(approve);
  expect(await screen.findByRole('heading', { name: 'Written to Lever' })).toBeInTheDocument();
  expect(api.approveProposal).toHaveBeenCalledWith({ id: 'p-1', dryRun: false });
  await user.click(screen.getByRole('button', { name: 'Done' }));
  expect(await screen.findByText('Nothing waiting for review')).toBeInTheDocument();
});

test('the inbox is reachable from a page that is not a candidate', async () => {
  const user = userEvent.setup();
  await activeContext.setValue({ kind: 'none' });
  const api = inboxApi([item({})]);
  renderWith(<SidePanel />, api);
  await user.click(await screen.findByRole('button', { name: 'Inbox' }));
  expect(await screen.findByRole('heading', { name: 'Inbox (1)' })).toBeInTheDocument();
  await user.click(screen.getByRole('button', { name: 'Back' }));
  expect(await screen.findByRole('heading', { name: 'How to use it' })).toBeInTheDocument();
});

test('toolbar badge shows the waiting count, 99+ above 99, and clears when empty or unreachable', async () => {
  const action = { setBadgeText: vi.fn(), setBadgeBackgroundColor: vi.fn() };
  expect(await refreshInboxBadge(async () => ({ count: 3 }), action)).toBe(3);
  expect(action.setBadgeText).toHaveBeenLastCalledWith({ text: '3' });
  await refreshInboxBadge(async () => ({ count: 150 }), action);
  expect(action.setBadgeText).toHaveBeenLastCalledWith({ text: '99+' });
  await refreshInboxBadge(async () => ({ count: 0 }), action);
  expect(action.setBadgeText).toHaveBeenLastCalledWith({ text: '' });
  await refreshInboxBadge(async () => {
    throw new Error('backend down');
  }, action);
  expect(action.setBadgeText).toHaveBeenLastCalledWith({ text: '' });
});
