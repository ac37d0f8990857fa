import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { GovernancePanel } from '@/components/options/GovernancePanel';
import { SidePanel } from '@/components/panel/SidePanel';
import { ApiProvider } from '@/components/ui/api-context';
import { type Proposal, StatusResponseSchema } from '@/utils/contracts/api.ts';
import {
  type BiasTestReport,
  BiasTestReportSchema,
  FunnelReportSchema,
  JdCheckResponseSchema,
} from '@/utils/contracts/fairness.ts';
import { DEFAULT_GOVERNANCE } from '@/utils/contracts/governance.ts';
import { resetPanelStore } from '@/utils/panel/store';
import type { FulcrumApi } from '@/utils/shared/messaging';
import { activeContext } from '@/utils/shared/page-context';
import { fakeApi, proposal } from './fixtures';

// Fixtures go through the wire contracts, so a contract change breaks these tests loudly.

const P = '5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b';

const TEXT = 'Backend Engineer\n\nWe need a ninja who is aggressive and supportive.';
const at = (word: string) => ({ start: TEXT.indexOf(word), end: TEXT.indexOf(word) + word.length, text: word });

const jdCheck = JdCheckResponseSchema.parse({
  posting: { id: P, title: 'Backend Engineer' },
  text: TEXT,
  verdict: 'balanced',
  counts: {
    masculine: 1,
    feminine: 1,
    byCategory: {
      'masculine-coded': 1,
      'feminine-coded': 1,
      exclusionary: 0,
      'age-coded': 0,
      jargon: 1,
      'requirement-inflation': 0,
      'missing-info': 1,
    },
  },
  findings: [
    {
      start: 0,
      end: 0,
      text: '',
      category: 'missing-info',
      reason: 'No salary range',
      source: 'Pay transparency laws',
      suggestion: 'State the pay range',
    },
    {
      ...at('ninja'),
      category: 'jargon',
      reason: 'Jargon puts off applicants',
      source: 'Textio',
      suggestion: 'Use "expert" or "specialist"',
    },
    {
      ...at('aggressive'),
      category: 'masculine-coded',
      reason: 'Masculine-coded: matches the stem "aggress*"',
      source: 'Gaucher et al. 2011',
      suggestion: 'Try "bold"',
    },
    {
      ...at('supportive'),
      category: 'feminine-coded',
      reason: 'Feminine-coded: matches the stem "support*"',
      source: 'Gaucher et al. 2011',
      suggestion: 'No change needed',
    },
  ],
});

const cell = (value: number | null) => ({ value, suppressed: value === null });
const group = (name: string, counts: Array<number | null>, extra: Record<string, unknown> = {}) => ({
  group: name,
  notStated: false,
  counts: counts.map(cell),
  passRates: [null, null],
  reachRates: [1, null, null],
  impactRatios: [1, null, null],
  selectionRate: null,
  impactRatio: null,
  fourFifthsFlag: null,
  ...extra,
});

const funnel = FunnelReportSchema.parse({
  minCount: 5,
  columns: [
    { id: 'applied', text: 'Applied' },
    { id: 'screen', text: 'Phone screen' },
    { id: 'hired', text: 'Hired' },
  ],
  unknownStage: cell(0),
  dimensions: [
    {
      dimension: 'gender',
      state: 'ok',
      referenceGroup: 'Male',
      groups: [
        group('Female', [40, 12, 6], { selectionRate: 0.15, impactRatio: 0.6, fourFifthsFlag: true }),
        group('Male', [40, 20, 10], { selectionRate: 0.25, impactRatio: 1, fourFifthsFlag: false }),
        group('Declined to state', [8, null, null], { notStated: true }),
      ],
      totals: [cell(88), cell(35), cell(16)],
    },
    {
      dimension: 'race',
      state: 'insufficient-data',
      referenceGroup: null,
      groups: [group('White', [30, 10, null]), group('Asian', [6, null, null])],
      totals: [cell(88), cell(35), cell(16)],
    },
    ...(['veteran', 'disability'] as const).map((dimension) => ({
      dimension,
      state: 'insufficient-data',
      referenceGroup: null,
      groups: [],
      totals: [cell(88), cell(35), cell(16)],
    })),
  ],
});

function biasReport(over: Partial<BiasTestReport> = {}): BiasTestReport {
  return BiasTestReportSchema.parse({
    postingId: P,
    provider: { name: 'local', model: 'fulcrum-local' },
    resumes: 8,
    resumesWithoutDetectedName: 0,
    copiesScored: 96,
    threshold: 60,
    thresholdSource: 'median',
    shortlistSize: 5,
    groups: [],
    largestDifference: null,
    selection: { impactRatio: 1, fourFifthsFlag: false, highestGroup: null, lowestGroup: null },
    zeroDifference: true,
    namesSource: 'Bertrand & Mullainathan 2004',
    ...over,
  });
}

const statusAs = (role: 'admin' | 'recruiter') =>
  StatusResponseSchema.parse({
    backend: { version: '0.1.0' },
    recruiter: { email: `${role}@example.com`, role, leverUserId: 'u1' },
    lever: { mode: 'emulator', reachable: true, message: null },
    ai: { provider: 'local', model: 'fulcrum-local' },
  });

beforeEach(async () => {
  fakeBrowser.reset();
  resetPanelStore();
  await activeContext.setValue({ kind: 'posting', postingId: P, url: `https://hire.lever.co/jobs/postings/${P}` });
});
const { createObjectURL, revokeObjectURL } = URL;
afterEach(() => {
  vi.restoreAllMocks();
  URL.createObjectURL = createObjectURL;
  URL.revokeObjectURL = revokeObjectURL;
});

function renderWith(ui: ReactNode, api: FulcrumApi) {
  return render(<ApiProvider api={api}>{ui}</ApiProvider>);
}

const fairApi = (role: 'admin' | 'recruiter', over: Partial<FulcrumApi> = {}) =>
  fakeApi({
    status: vi.fn(async () => statusAs(role)),
    jdCheck: vi.fn(async () => jdCheck),
    funnel: vi.fn(async () => funnel),
    ...over,
  });

test('job description: findings are highlighted in the checked text, explained, grouped, with the verdict', async () => {
  const api = fairApi('recruiter');
  renderWith(<SidePanel />, api);
  expect(await screen.findByRole('heading', { name: 'Backend Engineer' })).toBeInTheDocument();
  expect(api.jdCheck).toHaveBeenCalledWith({ postingId: P });
  expect(screen.getByTestId('jd-verdict')).toHaveTextContent(/Balanced wording.*1 masculine-coded, 1 feminine-coded/);

  const text = screen.getByTestId('jd-text');
  const visible = text.cloneNode(true) as HTMLElement;
  for (const hidden of visible.querySelectorAll('.sr-only')) hidden.remove();
  expect(visible.textContent).toBe(TEXT);
  const marks = text.querySelectorAll('mark');
  expect([...marks].map((m) => m.textContent)).toEqual(['ninja', 'aggressive', 'supportive']);
  const ninja = marks[0]!;
  expect(ninja).toHaveAttribute(
    'title',
    'Jargon: Jargon puts off applicants. Suggestion: Use "expert" or "specialist"',
  );
  // Screen readers hear the reason and suggestion right after the marked word.
  expect(ninja.nextElementSibling).toHaveClass('sr-only');
  expect(ninja.nextElementSibling).toHaveTextContent('(Jargon: Jargon puts off applicants. Suggestion: Use "expert"');
  // Categories are told apart by colour, and the legend names each colour used.
  expect(marks[0]!.style.background).not.toBe(marks[1]!.style.background);
  const legend = screen.getByRole('list', { name: 'Highlight colours' });
  expect(
    within(legend)
      .getAllByRole('listitem')
      .map((li) => li.textContent),
  ).toEqual(['Masculine-coded', 'Feminine-coded', 'Jargon']);

  const missing = screen.getByRole('region', { name: 'Missing information findings' });
  expect(within(missing).getByText('No salary range')).toBeInTheDocument();
  expect(within(missing).getByText(/State the pay range/)).toBeInTheDocument();
  expect(within(missing).getByText('Source: Pay transparency laws')).toBeInTheDocument();
  const masculine = screen.getByRole('region', { name: 'Masculine-coded findings' });
  expect(within(masculine).getByRole('heading', { name: 'Masculine-coded (1)' })).toBeInTheDocument();
  expect(within(masculine).getByText(/Try "bold"/)).toBeInTheDocument();

  // A recruiter does not get the admin-only reports.
  await waitFor(() => expect(api.status).toHaveBeenCalled());
  expect(screen.queryByRole('heading', { name: 'Diversity funnel' })).not.toBeInTheDocument();
  expect(screen.queryByRole('button', { name: 'Test the scorer for bias' })).not.toBeInTheDocument();
  expect(api.funnel).not.toHaveBeenCalled();
});

test('propose rewrite: opens the review sheet with the new description and writes only on approve', async () => {
  const user = userEvent.setup();
  const description = 'We need an expert who is bold and supportive.';
  const rewrite: Proposal = proposal({
    id: 'prop-rw',
    opportunityId: P,
    kind: 'posting-rewrite',
    payload: { posting: { description } },
    reason: 'Rewrite of "Backend Engineer" from the job-description check: "ninja" → "expert"',
    preview: { noteText: null },
  });
  const approveProposal = vi.fn(async ({ dryRun }: { id: string; dryRun: boolean }) =>
    dryRun ? rewrite : { ...rewrite, status: 'written' as const, result: { written: ['posting'] } },
  );
  const api = fairApi('recruiter', { proposeRewrite: vi.fn(async () => rewrite), approveProposal });
  renderWith(<SidePanel />, api);
  await user.click(await screen.findByRole('button', { name: 'Propose rewrite' }));

  const sheet = await screen.findByRole('dialog', { name: 'Review before writing to Lever' });
  expect(api.proposeRewrite).toHaveBeenCalledWith({ postingId: P });
  expect(api.createProposal).not.toHaveBeenCalled();
  expect(await within(sheet).findByTestId('posting-preview')).toHaveTextContent(description);
  expect(approveProposal).toHaveBeenCalledTimes(1);
  expect(approveProposal).toHaveBeenLastCalledWith({ id: 'prop-rw', dryRun: true });

  await user.click(within(sheet).getByRole('button', { name: 'Approve and write to Lever' }));
  expect(approveProposal).toHaveBeenLastCalledWith({ id: 'prop-rw', dryRun: false });
  await user.click(await screen.findByRole('button', { name: 'Done' }));
  expect(screen.getByRole('status')).toHaveTextContent('The posting description was updated in Lever.');
});

test('admins see the funnel: bars, hidden small counts, four-fifths flags, insufficient data, CSV export', async () => {
  const user = userEvent.setup();
  const created: Blob[] = [];
  const downloads: string[] = [];
  URL.createObjectURL = vi.fn((blob: Blob) => {
    created.push(blob);
    return 'blob:funnel';
  });
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    downloads.push(`${this.download} ${this.href}`);
  });
  const api = fairApi('admin', { funnelCsv: vi.fn(async () => 'dimension,group\r\n') });
  renderWith(<SidePanel />, api);

  expect(await screen.findByRole('heading', { name: 'Diversity funnel' })).toBeInTheDocument();
  // The heading is in the first commit; the request starts in an effect after it.
  await waitFor(() => expect(api.funnel).toHaveBeenCalledWith({ query: { postingId: P } }));
  const chart = await screen.findByTestId('funnel-chart');
  expect(chart.querySelectorAll('rect[data-group="Male"]')).toHaveLength(3);
  // Declined to state: shown at "Applied", hatched and hidden at the two later stages.
  expect(chart.querySelectorAll('[data-suppressed="true"]')).toHaveLength(2);
  expect(chart).toHaveTextContent('—');

  const table = screen.getByTestId('funnel-table');
  const declined = within(table).getByRole('row', { name: /Declined to state/ });
  expect(
    within(declined)
      .getAllByRole('cell')
      .map((c) => c.textContent),
  ).toEqual(['8', '—', '—']);
  expect(within(declined).getAllByRole('cell')[1]).toHaveAttribute('title', 'hidden: fewer than 5');
  expect(screen.getByTestId('suppression-note')).toHaveTextContent('hidden: fewer than 5');

  const ratios = screen.getAllByTestId('impact-ratio');
  expect(ratios.map((r) => r.textContent)).toEqual([
    'Female: selected 15%, impact ratio 0.60 Below four-fifths',
    'Male: selected 25%, impact ratio 1.00',
  ]);

  await user.selectOptions(screen.getByLabelText('Group by'), 'race');
  expect(screen.getByTestId('insufficient-data')).toHaveTextContent(/Not enough data to compare groups/);
  expect(screen.queryAllByTestId('impact-ratio')).toHaveLength(0);

  await user.selectOptions(screen.getByLabelText('Applicants'), 'all');
  await waitFor(() => expect(api.funnel).toHaveBeenLastCalledWith({ query: {} }));

  await user.click(screen.getByRole('button', { name: 'Export CSV' }));
  await waitFor(() => expect(downloads).toEqual(['diversity-funnel.csv blob:funnel']));
  expect(api.funnelCsv).toHaveBeenCalledWith({ query: {} });
  expect(await created[0]!.text()).toBe('dimension,group\r\n');
  expect(created[0]!.type).toBe('text/csv');
});

test('bias test: zero difference, or the per-group differences with the largest one and the impact ratio', async () => {
  const user = userEvent.setup();
  const biased = biasReport({
    zeroDifference: false,
    groups: [
      {
        group: 'white-male',
        perceivedGender: 'male',
        perceivedEthnicity: 'white',
        copies: 24,
        meanScore: 71.5,
        meanDifference: 4.25,
        selectionRate: 0.625,
        shortlist: { entered: 2, left: 0, meanRankChange: -0.5, maxAbsRankChange: 2 },
      },
      {
        group: 'black-female',
        perceivedGender: 'female',
        perceivedEthnicity: 'black',
        copies: 24,
        meanScore: 64,
        meanDifference: -3.25,
        selectionRate: 0.375,
        shortlist: { entered: 0, left: 2, meanRankChange: 0.5, maxAbsRankChange: 2 },
      },
    ],
    largestDifference: {
      resumeId: 'o1',
      difference: 12,
      high: { group: 'white-male', name: 'Greg Baker', score: 80 },
      low: { group: 'black-female', name: 'Lakisha Washington', score: 68 },
    },
    selection: { impactRatio: 0.6, fourFifthsFlag: true, highestGroup: 'white-male', lowestGroup: 'black-female' },
  });
  const biasTest = vi.fn().mockResolvedValueOnce(biasReport()).mockResolvedValueOnce(biased);
  const api = fairApi('admin', { biasTest });
  renderWith(<SidePanel />, api);

  await user.click(await screen.findByRole('button', { name: 'Test the scorer for bias' }));
  expect(biasTest).toHaveBeenCalledWith({ postingId: P });
  const first = await screen.findByTestId('bias-report');
  expect(first).toHaveTextContent('Zero difference.');
  expect(first).toHaveTextContent('8 resumes, 96 name-swapped copies scored');
  expect(first).toHaveTextContent('Selection impact ratio: 1.00');

  await user.click(screen.getByRole('button', { name: 'Test the scorer for bias' }));
  await waitFor(() => expect(screen.getByTestId('bias-report')).toHaveTextContent('Scores change with name'));
  const second = screen.getByTestId('bias-report');
  expect(second).toHaveTextContent('white-male: mean 71.50 (+4.25 vs the original), selected 63%');
  expect(second).toHaveTextContent('black-female: mean 64.00 (-3.25 vs the original), selected 38%');
  expect(second).toHaveTextContent(
    'Largest difference: 12.00 points (Greg Baker, white-male: 80 vs Lakisha Washington',
  );
  expect(second).toHaveTextContent('0.60 (black-female vs white-male): below four fifths');
});

test('governance: admins see what the AI may do, switch a capability off and change retention, and save', async () => {
  const user = userEvent.setup();
  const putGovernance = vi.fn(async ({ governance }) => ({ governance, updatedAt: '2026-11-26T10:00:00.000Z' }));
  const api = fakeApi({
    status: vi.fn(async () => statusAs('admin')),
    getGovernance: vi.fn(async () => ({ governance: DEFAULT_GOVERNANCE, updatedAt: null })),
    putGovernance,
  });
  renderWith(<GovernancePanel />, api);
  const summary = await screen.findByTestId('governance-summary');
  expect(summary).toHaveTextContent(
    'The AI may: candidate matching, outreach drafting, interview questions, feedback synthesis, talent rediscovery',
  );
  expect(summary).toHaveTextContent('deleted after 180 days');

  await user.click(screen.getByLabelText(/Outreach drafting/));
  await user.clear(screen.getByLabelText(/Keep cached AI results/));
  await user.type(screen.getByLabelText(/Keep cached AI results/), '30');
  await user.click(screen.getByRole('button', { name: 'Save governance' }));
  expect(putGovernance).toHaveBeenCalledWith({
    governance: {
      ...DEFAULT_GOVERNANCE,
      capabilities: { ...DEFAULT_GOVERNANCE.capabilities, outreach: false },
      retentionDays: 30,
    },
  });
  expect(await screen.findByRole('status')).toHaveTextContent('Governance saved');
  expect(screen.getByTestId('governance-summary')).not.toHaveTextContent('outreach');
  expect(screen.getByTestId('governance-summary')).toHaveTextContent('deleted after 30 days');
  expect(screen.getByTestId('governance-thresholds')).toHaveTextContent('four-fifths rule');
});

test('governance: the audit log downloads in the chosen format', async () => {
  const user = userEvent.setup();
  const blobs: Blob[] = [];
  const names: string[] = [];
  URL.createObjectURL = vi.fn((blob: Blob) => {
    blobs.push(blob);
    return 'blob:audit';
  });
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    names.push(this.download);
  });
  const auditExport = vi.fn(async () => 'id,at,actor\n1,2026-11-26T10:00:00.000Z,rita@example.com\n');
  const api = fakeApi({
    status: vi.fn(async () => statusAs('admin')),
    getGovernance: vi.fn(async () => ({ governance: DEFAULT_GOVERNANCE, updatedAt: null })),
    auditExport,
  });
  renderWith(<GovernancePanel />, api);
  await user.selectOptions(await screen.findByLabelText('Format'), 'csv');
  await user.click(screen.getByRole('button', { name: 'Download audit log' }));
  await waitFor(() => expect(names).toEqual([expect.stringMatching(/^fulcrum-audit-\d{4}-\d{2}-\d{2}\.csv$/)]));
  expect(auditExport).toHaveBeenCalledWith({ format: 'csv' });
  expect(await blobs[0]!.text()).toContain('rita@example.com');
});

test('governance: hidden from recruiters, and from anyone whose status cannot be read', async () => {
  const recruiter = fakeApi({ status: vi.fn(async () => statusAs('recruiter')) });
  const { unmount } = renderWith(<GovernancePanel />, recruiter);
  await act(async () => {});
  expect(screen.queryByRole('heading', { name: 'AI governance' })).not.toBeInTheDocument();
  expect(recruiter.getGovernance).not.toHaveBeenCalled();
  unmount();
  renderWith(<GovernancePanel />, fakeApi());
  await act(async () => {});
  expect(screen.queryByRole('heading', { name: 'AI governance' })).not.toBeInTheDocument();
});
