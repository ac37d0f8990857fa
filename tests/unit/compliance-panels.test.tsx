import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { SidePanel } from '@/components/panel/SidePanel';
import { ApiProvider } from '@/components/ui/api-context';
import type { OptOutStatus } from '@/utils/contracts/compliance.ts';
import { resetPanelStore } from '@/utils/panel/store';
import type { FulcrumApi } from '@/utils/shared/messaging';
import { activeContext } from '@/utils/shared/page-context';
import { A, fakeApi } from './fixtures';

beforeEach(() => {
  fakeBrowser.reset();
  resetPanelStore();
});

const renderWith = (ui: ReactNode, api: FulcrumApi) => render(<ApiProvider api={api}>{ui}</ApiProvider>);
const status = (optedOut: boolean): OptOutStatus => ({
  optedOut,
  sources: optedOut ? [{ source: 'lever-tag', since: '2026-11-01T00:00:00.000Z', by: null }] : [],
  tag: 'fulcrum:no-automated-assessment',
});

test('an opted-out candidate: the panel says so and offers only the manual tools (History)', async () => {
  const api = fakeApi({ optOut: vi.fn(async () => status(true)) });
  await activeContext.setValue({ kind: 'candidate', opportunityId: A, url: `https://hire.lever.co/candidates/${A}` });
  renderWith(<SidePanel />, api);
  const note = await screen.findByTestId('opted-out');
  expect(note).toHaveTextContent(/Opted out of automated assessment/);
  expect(note).toHaveTextContent(/a Lever tag on 2026-11-01/);
  const tabs = screen.getByRole('tablist');
  expect(
    within(tabs)
      .getAllByRole('tab')
      .map((t) => t.textContent),
  ).toEqual(['History']);
  expect(screen.queryByTestId('match-score')).not.toBeInTheDocument();
});

test('a recruiter records the candidate’s opt-out from the History tab', async () => {
  const setOptOut = vi.fn(async () => status(true));
  const api = fakeApi({ optOut: vi.fn(async () => status(false)), setOptOut });
  await activeContext.setValue({ kind: 'candidate', opportunityId: A, url: `https://hire.lever.co/candidates/${A}` });
  renderWith(<SidePanel />, api);
  await userEvent.click(await screen.findByRole('tab', { name: 'History' }));
  await userEvent.click(await screen.findByRole('button', { name: /asked to opt out/ }));
  expect(setOptOut).toHaveBeenCalledWith({ opportunityId: A, optedOut: true });
  expect(await screen.findByTestId('opted-out')).toBeInTheDocument();
  await act(async () => {});
  expect(within(screen.getByRole('tablist')).getAllByRole('tab')).toHaveLength(1);
});
