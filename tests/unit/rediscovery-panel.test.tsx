import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, test, vi } from 'vitest';
import { RediscoveryPanel } from '@/components/posting/RediscoveryPanel';
import { ApiProvider } from '@/components/ui/api-context';
import { ActResponseSchema, RediscoverResponseSchema } from '@/utils/contracts/rediscovery.ts';
import { ApiFailureError, type FulcrumApi } from '@/utils/shared/messaging';
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

const STAGES = {
  stages: [
    { id: 'st-lead', text: 'New lead' },
    { id: 'st-reached', text: 'Reached out' },
    { id: 'st-screen', text: 'Phone screen' },
  ],
  source: 'lever' as const,
};

/**
 * A fake with one drafted re-engagement (Ada) whose tag proposal lives in the fake's proposal store, and a
 * "mark sent" that creates the stage-move proposal the way the backend does.
 */
async function draftedApi(over: Partial<FulcrumApi> = {}) {
  const api = fakeApi({
    rediscoverySync: vi.fn(async () => synced),
    rediscover: vi.fn(async () => found),
    rediscoveryStages: vi.fn(async () => STAGES),
    ...over,
  });
  const tag = await api.createProposal({
    opportunityId: A,
    kind: 'rediscovery',
    payload: { addTags: ['rediscovered: Staff Engineer'], note: { text: 'Re-engagement for Ada' } },
  });
  const record = { ...acted.outreach[0]!, tagProposalId: tag.id };
  api.rediscoveryAct = vi.fn(async () => ({ outreach: [record], skipped: [] }));
  if (!over.rediscoveryMarkSent) {
    api.rediscoveryMarkSent = vi.fn(async ({ stageId }) => {
      const move = await api.createProposal({ opportunityId: A, kind: 'stage', payload: { stageId } });
      return { ...record, stageProposalId: move.id, sentAt: Date.UTC(2026, 10, 27) };
    });
  }
  return api;
}

/** Finds, selects Ada, drafts, and (unless told not to) approves the draft in the review sheet. */
async function draftAda(approve = true) {
  await userEvent.click(screen.getByRole('button', { name: 'Find past applicants' }));
  await userEvent.click(await screen.findByRole('checkbox', { name: 'Select Ada Byron' }));
  await userEvent.click(screen.getByRole('button', { name: 'Draft re-engagement (1)' }));
  await userEvent.click(await screen.findByRole('button', { name: 'Review and approve' }));
  if (!approve) return;
  await userEvent.click(await screen.findByRole('button', { name: 'Approve and write to Lever' }));
  await userEvent.click(await screen.findByRole('button', { name: 'Done' }));
}

test('no "Mark email sent" before the draft is approved, nor after it is discarded', async () => {
  const api = await draftedApi();
  renderPanel(api);
  await userEvent.click(screen.getByRole('button', { name: 'Find past applicants' }));
  await userEvent.click(await screen.findByRole('checkbox', { name: 'Select Ada Byron' }));
  await userEvent.click(screen.getByRole('button', { name: 'Draft re-engagement (1)' }));
  const row = await screen.findByTestId('drafted-outreach');
  expect(within(row).queryByRole('button', { name: /Mark email sent/ })).toBeNull();
  await userEvent.click(within(row).getByRole('button', { name: 'Review and approve' }));
  await userEvent.click(await screen.findByRole('button', { name: 'Discard' }));
  expect(within(await screen.findByTestId('drafted-outreach')).getByText('Discarded')).toBeTruthy();
  expect(screen.queryByRole('button', { name: /Mark email sent/ })).toBeNull();
  expect(api.rediscoveryStages).not.toHaveBeenCalled();
});

test('after approval: mark the email sent with a stage, review the stage move, approve it', async () => {
  const api = await draftedApi();
  renderPanel(api);
  await draftAda();
  const row = await screen.findByTestId('drafted-outreach');
  // Lever's stages, with the usual next stage after an email already chosen.
  const stage = await within(row).findByLabelText('Move to stage');
  expect((stage as HTMLSelectElement).value).toBe('st-reached');
  await userEvent.selectOptions(stage, 'st-screen');
  await userEvent.click(within(row).getByRole('button', { name: 'Mark email sent' }));
  expect(api.rediscoveryMarkSent).toHaveBeenCalledWith({ outreachId: acted.outreach[0]!.id, stageId: 'st-screen' });

  // The stage move is a proposal like every other write: the sheet names the stage and waits for Approve.
  expect(await screen.findByText('Move to stage: Phone screen')).toBeTruthy();
  await userEvent.click(screen.getByRole('button', { name: 'Approve and write to Lever' }));
  expect(await screen.findByText(/Lever now has: stage/)).toBeTruthy();
  await userEvent.click(screen.getByRole('button', { name: 'Done' }));
  expect(await screen.findByTestId('stage-moved')).toHaveProperty('textContent', 'Email sent; moved in Lever.');
  expect(screen.queryByRole('button', { name: /Mark email sent/ })).toBeNull();
  expect(api.approveProposal).toHaveBeenLastCalledWith({ id: expect.any(String), dryRun: false });
});

test('discarding the stage move (a wrong stage) lets the recruiter propose another', async () => {
  const api = await draftedApi();
  renderPanel(api);
  await draftAda();
  await userEvent.click(await screen.findByRole('button', { name: 'Mark email sent' }));
  await screen.findByText('Move to stage: Reached out');
  await userEvent.click(screen.getByRole('button', { name: 'Discard' }));
  const row = await screen.findByTestId('drafted-outreach');
  // Discarded (wrong stage?): the control is back, now for sending the move again.
  await userEvent.selectOptions(within(row).getByLabelText('Move to stage'), 'st-lead');
  await userEvent.click(within(row).getByRole('button', { name: 'Mark email sent again' }));
  expect(api.rediscoveryMarkSent).toHaveBeenLastCalledWith({ outreachId: acted.outreach[0]!.id, stageId: 'st-lead' });
  expect(await screen.findByText('Move to stage: New lead')).toBeTruthy();
});

test('"Mark email sent" waits for a stage when Lever has no "Reached out" stage', async () => {
  const api = await draftedApi({
    rediscoveryStages: vi.fn(async () => ({ stages: [{ id: 'st-x', text: 'Interview' }], source: 'synced' as const })),
  });
  renderPanel(api);
  await draftAda();
  const button = await screen.findByRole('button', { name: 'Mark email sent' });
  expect(button).toHaveProperty('disabled', true);
  await userEvent.selectOptions(screen.getByLabelText('Move to stage'), 'st-x');
  expect(button).toHaveProperty('disabled', false);
});

test('stages that fail to load, and a failed "mark sent", show errors with a way to try again', async () => {
  const rediscoveryStages = vi
    .fn<FulcrumApi['rediscoveryStages']>()
    .mockRejectedValueOnce(new ApiFailureError({ kind: 'lever_unavailable', message: 'Lever is down', status: 503 }))
    .mockResolvedValueOnce(STAGES);
  const rediscoveryMarkSent = vi
    .fn<FulcrumApi['rediscoveryMarkSent']>()
    .mockRejectedValueOnce(new ApiFailureError({ kind: 'not_found', message: 'No such draft', status: 404 }));
  const api = await draftedApi({ rediscoveryStages, rediscoveryMarkSent });
  renderPanel(api);
  await draftAda();
  const alert = await screen.findByRole('alert');
  expect(alert.textContent).toContain('Lever is down');
  await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
  await userEvent.click(await screen.findByRole('button', { name: 'Mark email sent' }));
  expect((await screen.findByRole('alert')).textContent).toContain('No such draft');
  // Nothing was proposed, so the control stays for another try.
  expect(screen.getByRole('button', { name: 'Mark email sent' })).toHaveProperty('disabled', false);
});

test('says when semantic ranking was unavailable and the list is keyword + skills only', async () => {
  const withFallback = RediscoverResponseSchema.parse({
    ...found,
    ranking: {
      mode: 'keyword+skills',
      embeddingsModel: null,
      semanticWeight: null,
      vectorCoverage: null,
      fallback: { from: 'embeddings:text-embedding-3-small', reason: 'llm_unavailable: AI provider answered 503' },
    },
  });
  const api = fakeApi({ rediscoverySync: vi.fn(async () => synced), rediscover: vi.fn(async () => withFallback) });
  renderPanel(api);
  await userEvent.click(screen.getByRole('button', { name: 'Find past applicants' }));
  expect((await screen.findByTestId('ranking-note')).textContent).toContain(
    'Ranked by keywords and skills only: semantic ranking is unavailable (llm_unavailable: AI provider answered 503)',
  );
});

test('a stage move whose preview could not open waits in the row, to be reviewed from there', async () => {
  const api = await draftedApi();
  renderPanel(api);
  await draftAda();
  const approve = api.approveProposal as ReturnType<typeof vi.fn>;
  approve.mockRejectedValueOnce(new ApiFailureError({ kind: 'unreachable', message: 'Backend not running' }));
  await userEvent.click(await screen.findByRole('button', { name: 'Mark email sent' }));
  expect((await screen.findByRole('alert')).textContent).toContain('Backend not running');
  const row = screen.getByTestId('drafted-outreach');
  expect(within(row).getByText(/the stage move waits for your approval/)).toBeTruthy();
  await userEvent.click(within(row).getByRole('button', { name: 'Review the stage move' }));
  expect(await screen.findByRole('button', { name: 'Approve and write to Lever' })).toBeTruthy();
  expect(api.rediscoveryMarkSent).toHaveBeenCalledTimes(1);
});

test('shows how much of the talent pool the semantic index covers, and why its last run failed', async () => {
  const embedding = {
    model: 'text-embedding-3-small@256',
    status: 'failed' as const,
    embedded: 30,
    pending: 10,
    refused: 0,
    done: 30,
    total: 40,
    startedAt: 1,
    finishedAt: null,
    error: 'llm_unavailable: AI provider answered 503',
  };
  const api = fakeApi({ rediscoverySync: vi.fn(async () => syncProgress({ ...synced, embeddings: embedding })) });
  renderPanel(api);
  expect((await screen.findByTestId('embedding-progress')).textContent).toBe(
    ' Semantic index (text-embedding-3-small@256): 30 of 40 people embedded; the last run failed ' +
      '(llm_unavailable: AI provider answered 503) and resumes with the next sync.',
  );
});

test('a reopened panel finds earlier drafts for the posting and picks up at "Mark email sent"', async () => {
  const approved = { ...acted.outreach[0]!, tagProposalStatus: 'written' as const, stageProposalStatus: null };
  const pending = { ...acted.outreach[1]!, tagProposalStatus: 'pending' as const, stageProposalStatus: null };
  const rediscoveryOutreach = vi.fn(async () => ({ outreach: [approved, pending] }));
  const api = fakeApi({
    rediscoverySync: vi.fn(async () => synced),
    rediscoveryStages: vi.fn(async () => STAGES),
    rediscoveryOutreach,
  });
  renderPanel(api);
  const rows = await screen.findAllByTestId('drafted-outreach');
  expect(rows).toHaveLength(2);
  expect(rediscoveryOutreach).toHaveBeenCalledWith({ postingId: P });
  // No search was run: the drafts come from the backend's record of them.
  expect(api.rediscover).not.toHaveBeenCalled();
  expect(await within(rows[0]!).findByRole('button', { name: 'Mark email sent' })).toBeTruthy();
  expect(within(rows[1]!).getByRole('button', { name: 'Review and approve' })).toBeTruthy();
});
