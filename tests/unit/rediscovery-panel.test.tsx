import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, test, vi } from 'vitest';
import { ApiProvider } from '@/components/api-context';
import { RediscoveryPanel } from '@/components/RediscoveryPanel';
import { ActResponseSchema, RediscoverResponseSchema } from '@/utils/contracts/rediscovery.ts';
import { ApiFailureError, type FulcrumApi } from '@/utils/messaging';
import { A, B, deferred, fakeApi, syncProgress } from './fixtures';

// Fixtures go through the wire contracts, so a contract change breaks these tests loudly.

const P = '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';

function person(contactId: string, name: string, rank: number, opportunityId: string) {
  return {
    contactId,
    name,
    location: 'Dublin',
    headline: 'Backend engineer',
    opportunityIds: [opportunityId],
    latestOpportunityId: opportunityId,
    score: 90 - rank * 5,
    rank,
    components: [
      { name: 'relevance', points: 70, reason: 'Meets 3 of 4 must-haves' },
      { name: 'reached onsite', points: 10, reason: 'Got to Onsite in 2024' },
    ],
    matched: [
      {
        criterion: 'Go in production',
        status: 'met',
        evidence: [{ source: 'resume', quote: `${name} ran Go services at scale`, start: 0, end: 10 }],
      },
    ],
    gaps: [],
    past: {
      bestStage: 'Onsite',
      applications: [
        {
          opportunityId,
          postingTitle: 'Senior Backend Engineer',
          stage: 'Onsite',
          archiveReason: 'Hired someone else',
          appliedAt: Date.UTC(2024, 2, 1),
        },
      ],
      feedback: { count: 2, average: 3.5, positive: 2 },
      lastContactAt: Date.UTC(2024, 4, 2),
    },
  };
}

const found = RediscoverResponseSchema.parse({
  postingId: P,
  results: [person('c-1', 'Ada Byron', 1, A), person('c-2', 'Grace Hopper', 2, B)],
  excluded: { 'contacted-recently': 1 },
  candidatesConsidered: 12,
  tookMs: 4,
});

const acted = ActResponseSchema.parse({
  outreach: [
    {
      id: '11111111-1111-4111-8111-111111111111',
      contactId: 'c-1',
      opportunityId: A,
      postingId: P,
      subject: 'A new role at Acme',
      body: 'Hi Ada',
      tagProposalId: 'prop-ada',
      stageProposalId: null,
      sentAt: null,
    },
    {
      id: '22222222-2222-4222-8222-222222222222',
      contactId: 'c-2',
      opportunityId: B,
      postingId: P,
      subject: 'A new role at Acme',
      body: 'Hi Grace',
      tagProposalId: 'prop-grace',
      stageProposalId: null,
      sentAt: null,
    },
  ],
  skipped: [],
});

const synced = syncProgress({
  status: 'idle',
  phase: 'done',
  people: 40,
  opportunities: 55,
  finishedAt: Date.UTC(2026, 10, 20),
});

function renderPanel(api: FulcrumApi) {
  return render(
    <ApiProvider api={api}>
      <RediscoveryPanel postingId={P} />
    </ApiProvider>,
  );
}

test('shows loading, then the empty talent pool with the sync command', async () => {
  const pending = deferred<ReturnType<typeof syncProgress>>();
  const api = fakeApi({ rediscoverySync: vi.fn(() => pending.promise) });
  renderPanel(api);
  expect(screen.getByRole('status', { name: 'Loading the talent pool status' })).toBeTruthy();
  pending.resolve(syncProgress());
  expect(await screen.findByText('No talent pool yet: run npm run cli -- sync')).toBeTruthy();
});

test('renders ranked results with evidence, stage, archive reason and why it ranks', async () => {
  const api = fakeApi({ rediscoverySync: vi.fn(async () => synced), rediscover: vi.fn(async () => found) });
  renderPanel(api);
  expect(await screen.findByTestId('sync-progress')).toHaveProperty(
    'textContent',
    expect.stringContaining('40 people'),
  );
  await userEvent.click(screen.getByRole('button', { name: 'Find past applicants' }));
  const items = await screen.findAllByTestId('rediscovery-result');
  expect(items).toHaveLength(2);
  const ada = within(items[0]!);
  expect(ada.getByText('#1 Ada Byron')).toBeTruthy();
  expect(ada.getByText(/“Ada Byron ran Go services at scale”/)).toBeTruthy();
  expect(ada.getByText(/Reached: Onsite/).textContent).toContain('Archived: Hired someone else');
  expect(ada.getByText(/Reached: Onsite/).textContent).toContain('Last contact: 2024-05-02');
  expect(ada.getByText('Why it ranks here')).toBeTruthy();
  expect(ada.getByText(/Got to Onsite in 2024/)).toBeTruthy();
  expect(api.rediscover).toHaveBeenCalledWith({ postingId: P, filters: {} });
});

test('passes the filters to the api as the contract defines them', async () => {
  const api = fakeApi({ rediscoverySync: vi.fn(async () => synced), rediscover: vi.fn(async () => found) });
  renderPanel(api);
  await userEvent.type(screen.getByLabelText('Location'), 'Remote');
  await userEvent.type(screen.getByLabelText('Minimum stage reached'), 'Phone screen');
  await userEvent.type(screen.getByLabelText('Last contacted before'), '2025-01-31');
  await userEvent.click(screen.getByRole('button', { name: 'Find past applicants' }));
  await waitFor(() =>
    expect(api.rediscover).toHaveBeenCalledWith({
      postingId: P,
      filters: { location: 'Remote', minStage: 'Phone screen', lastContactBefore: Date.UTC(2025, 0, 31) },
    }),
  );
});

test('select two and draft: the api gets both contact ids, and each proposal opens in the review sheet', async () => {
  const api = fakeApi({
    rediscoverySync: vi.fn(async () => synced),
    rediscover: vi.fn(async () => found),
    rediscoveryAct: vi.fn(async () => acted),
  });
  const ada = await api.createProposal({
    opportunityId: A,
    kind: 'rediscovery',
    payload: { addTags: ['rediscovered'], note: { text: 'Re-engagement for Ada' } },
  });
  acted.outreach[0]!.tagProposalId = ada.id;
  renderPanel(api);
  await userEvent.click(screen.getByRole('button', { name: 'Find past applicants' }));
  const draft = await screen.findByRole('button', { name: /Draft re-engagement/ });
  expect(draft).toHaveProperty('disabled', true);
  await userEvent.click(screen.getByRole('checkbox', { name: 'Select Ada Byron' }));
  await userEvent.click(screen.getByRole('checkbox', { name: 'Select Grace Hopper' }));
  await userEvent.click(screen.getByRole('button', { name: 'Draft re-engagement (2)' }));
  expect(api.rediscoveryAct).toHaveBeenCalledWith({ postingId: P, contactIds: ['c-1', 'c-2'], tone: 'warm' });
  const drafted = await screen.findAllByTestId('drafted-outreach');
  expect(drafted).toHaveLength(2);
  expect(drafted[0]!.textContent).toContain('Ada Byron: A new role at Acme');
  await userEvent.click(within(drafted[0]!).getByRole('button', { name: 'Review and approve' }));
  expect(await screen.findByDisplayValue('Re-engagement for Ada')).toBeTruthy();
  expect(api.createProposal).toHaveBeenCalledTimes(1);
});

test('shows an error with Retry when the search fails', async () => {
  const rediscover = vi
    .fn<FulcrumApi['rediscover']>()
    .mockRejectedValueOnce(new ApiFailureError({ kind: 'server', message: 'Index locked', status: 500 }))
    .mockResolvedValueOnce(found);
  const api = fakeApi({ rediscoverySync: vi.fn(async () => synced), rediscover });
  renderPanel(api);
  await userEvent.click(screen.getByRole('button', { name: 'Find past applicants' }));
  const alert = await screen.findByRole('alert');
  await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
  expect(await screen.findAllByTestId('rediscovery-result')).toHaveLength(2);
});
