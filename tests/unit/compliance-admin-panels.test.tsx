import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ExplanationPanel } from '@/components/candidate/ExplanationPanel';
import { ComplianceAdminPanel } from '@/components/options/ComplianceAdminPanel';
import { CriteriaCheckPanel } from '@/components/posting/CriteriaCheckPanel';
import { NoticePanel } from '@/components/posting/NoticePanel';
import { ApiProvider } from '@/components/ui/api-context';
import { handleApiRequest } from '@/utils/background/api-handler';
import { StatusResponseSchema } from '@/utils/contracts/api.ts';
import {
  type CriterionCheck,
  DEFAULT_COMPLIANCE_SETTINGS,
  type Explanation,
  type Notice,
  type NoticeTemplate,
  type RetentionReport,
} from '@/utils/contracts/compliance.ts';
import type { FulcrumApi } from '@/utils/shared/messaging';
import { handlerDeps as deps, fakeFetch, json } from './fake-fetch';
import { A, fakeApi } from './fixtures';

/**
 * The compliance kit's panels: the candidate notice (copy, admin template edit), the explanation for a candidate
 * (text, copy, PDF), the proxy check on a posting's requirements, and the admin section on the options page
 * (settings, audit-pack CSV, retention report).
 */

const P = '5c3b2a19-0000-4000-8000-000000000010';
const renderWith = (ui: ReactNode, api: FulcrumApi) => render(<ApiProvider api={api}>{ui}</ApiProvider>);
const statusAs = (role: 'admin' | 'recruiter') =>
  StatusResponseSchema.parse({
    backend: { version: '0.1.0' },
    recruiter: { email: `${role}@example.com`, role, leverUserId: 'u1' },
    lever: { mode: 'emulator', reachable: true, message: null },
    ai: { provider: 'local', model: 'fulcrum-local' },
  });

const { createObjectURL, revokeObjectURL } = URL;
let downloads: Array<{ name: string; blob: Blob }>;
beforeEach(() => {
  fakeBrowser.reset();
  downloads = [];
  const blobs: Blob[] = [];
  URL.createObjectURL = vi.fn((blob: Blob) => {
    blobs.push(blob);
    return `blob:${blobs.length}`;
  });
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    downloads.push({ name: this.download, blob: blobs[Number(this.href.split(':').at(-1)) - 1] as Blob });
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  URL.createObjectURL = createObjectURL;
  URL.revokeObjectURL = revokeObjectURL;
});
const clipboard = () => {
  const writeText = vi.fn(async (_text: string) => {});
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  return writeText;
};

const notice = (over: Partial<Notice> = {}): Notice => ({
  posting: { id: P, title: 'Platform Engineer' },
  location: { location: 'New York, NY', allLocations: [], country: 'US' },
  jurisdictions: [{ id: 'nyc-ll144', name: 'New York City', matched: 'New York, NY' }],
  sections: [
    { jurisdiction: 'generic', title: 'How Acme uses Fulcrum', text: 'Fulcrum compares your résumé.', edited: false },
    { jurisdiction: 'nyc-ll144', title: 'New York City', text: 'Ask for an alternative process.', edited: true },
  ],
  text: 'How Acme uses Fulcrum\nFulcrum compares your résumé.\n\nNew York City\nAsk for an alternative process.',
  notes: ['Set a contact email in the compliance settings.'],
  ...over,
});
const template = (over: Partial<NoticeTemplate> = {}): NoticeTemplate => ({
  jurisdiction: 'nyc-ll144',
  name: 'New York City (LL144)',
  title: 'New York City',
  body: 'Write to {{contactEmail}} for an alternative process.',
  defaultBody: 'Default wording',
  updatedAt: null,
  updatedBy: null,
  ...over,
});

test('notice: the sections per jurisdiction, the notes, and Copy puts the whole text on the clipboard', async () => {
  const writeText = clipboard();
  const api = fakeApi({ notice: vi.fn(async () => notice()) });
  renderWith(<NoticePanel postingId={P} admin={false} />, api);
  const panel = await screen.findByTestId('candidate-notice');
  expect(await within(panel).findByText('For New York City (from "New York, NY").', { exact: false })).toBeVisible();
  expect(within(panel).getByLabelText('Notes for the recruiter')).toHaveTextContent('Set a contact email');
  expect(panel.querySelector('[data-jurisdiction="nyc-ll144"]')).toHaveTextContent('Ask for an alternative process.');
  expect(within(panel).queryByRole('button', { name: /Edit template/ })).toBeNull();
  const user = userEvent.setup();
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  await user.click(within(panel).getByRole('button', { name: 'Copy notice' }));
  expect(writeText).toHaveBeenCalledWith(notice().text);
  expect(within(panel).getByRole('status')).toHaveTextContent('Notice copied');
});

test('notice: an admin edits a section’s template, saves it and sees the notice again; reset sends null', async () => {
  const api = fakeApi({
    notice: vi.fn(async () => notice()),
    noticeTemplates: vi.fn(async () => ({ templates: [template()], placeholders: [] })),
    putNoticeTemplate: vi.fn(async () => template({ body: 'Edited' })),
  });
  renderWith(<NoticePanel postingId={P} admin />, api);
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: 'Edit template (edited)' }));
  const form = await screen.findByRole('form', { name: 'Template: New York City (LL144)' });
  const box = within(form).getByRole('textbox');
  expect(box).toHaveValue(template().body);
  await user.clear(box);
  await user.type(box, 'Email {{{{contactEmail}} to ask for a human review.');
  await user.click(within(form).getByRole('button', { name: 'Save template' }));
  expect(api.putNoticeTemplate).toHaveBeenCalledWith({
    jurisdiction: 'nyc-ll144',
    body: 'Email {{contactEmail}} to ask for a human review.',
  });
  await waitFor(() => expect(api.notice).toHaveBeenCalledTimes(2));
  expect(screen.queryByRole('form', { name: /Template:/ })).toBeNull();

  await user.click(screen.getByRole('button', { name: 'Edit template (edited)' }));
  await user.click(await screen.findByRole('button', { name: "Reset to Fulcrum's wording" }));
  expect(api.putNoticeTemplate).toHaveBeenLastCalledWith({ jurisdiction: 'nyc-ll144', body: null });
});

test('notice: a failure says what went wrong and Retry asks again', async () => {
  const notFound = Object.assign(new Error('Not found, or not visible to you'), { kind: 'not_found' });
  const api = fakeApi({
    notice: vi
      .fn()
      .mockRejectedValueOnce(notFound)
      .mockResolvedValueOnce(notice({ notes: [] })),
  });
  renderWith(<NoticePanel postingId={P} admin={false} />, api);
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: /Retry|Try again/ }));
  expect(await screen.findByText('Fulcrum compares your résumé.')).toBeVisible();
  expect(api.notice).toHaveBeenCalledTimes(2);
});

const explanation = (over: Partial<Explanation> = {}): Explanation => ({
  opportunityId: A,
  posting: { id: P, title: 'Platform Engineer' },
  generatedAt: '2026-12-01T10:00:00.000Z',
  assessedAt: '2026-11-30T10:00:00.000Z',
  engine: 'fulcrum-local 1.0',
  criteria: [
    {
      criterion: 'Five years of Rust',
      outcome: 'met',
      evidence: [{ source: 'resume', quote: 'Rust since 2019' }],
      notFound: null,
    },
  ],
  score: null,
  text: '# Explanation\n## Five years of Rust\nMet: "Rust since 2019".\nTo ask for a human review, write to hr@acme.test.',
  ...over,
});

test('explanation: shown as plain text, copied, and downloaded as a PDF', async () => {
  const writeText = clipboard();
  const pdfBytes = '%PDF-1.7 test';
  const api = fakeApi({
    explanation: vi.fn(async () => explanation()),
    explanationPdf: vi.fn(async () => btoa(pdfBytes)),
  });
  renderWith(<ExplanationPanel opportunityId={A} />, api);
  const user = userEvent.setup();
  expect(screen.queryByRole('button', { name: 'Copy text' })).toBeNull();
  await user.click(screen.getByRole('button', { name: 'Explanation for the candidate' }));
  const text = await screen.findByTestId('explanation');
  expect(text.textContent).toBe(
    'Explanation\nFive years of Rust\nMet: "Rust since 2019".\nTo ask for a human review, write to hr@acme.test.',
  );
  expect(api.explanation).toHaveBeenCalledWith({ opportunityId: A });
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  await user.click(screen.getByRole('button', { name: 'Copy text' }));
  expect(writeText).toHaveBeenCalledWith(text.textContent);
  expect(await screen.findByRole('status')).toHaveTextContent('Explanation copied.');
  await user.click(screen.getByRole('button', { name: 'Download PDF' }));
  await waitFor(() => expect(downloads.map((d) => d.name)).toEqual([`explanation-${A}.pdf`]));
  expect(await downloads[0]?.blob.text()).toBe(pdfBytes);
});

test('explanation: nothing recorded yet is said, not shown as an empty explanation', async () => {
  const missing = Object.assign(new Error('No automated assessment is recorded for this candidate yet.'), {
    kind: 'not_found',
  });
  const api = fakeApi({ explanation: vi.fn(async () => Promise.reject(missing)) });
  renderWith(<ExplanationPanel opportunityId={A} />, api);
  await userEvent.setup().click(screen.getByRole('button', { name: 'Explanation for the candidate' }));
  expect(await screen.findByText(/No automated assessment is recorded|Not found/)).toBeVisible();
  expect(screen.queryByTestId('explanation')).toBeNull();
});

const criterion = (text: string, flagged: boolean, ignored = flagged): CriterionCheck => ({
  text,
  flags: flagged
    ? [
        {
          kind: 'language-origin',
          quote: 'Native English speaker',
          start: 0,
          end: 22,
          reason: 'Native-speaker requirements screen out people by national origin.',
          suggestion: 'Ask for the level of English the job needs (for example "fluent written English").',
        },
      ]
    : [],
  confirmed: flagged && !ignored,
  ignoredInScoring: ignored,
});

test('criteria: flagged requirements with reason and suggestion; an admin confirms one; a draft line is checked', async () => {
  let confirmed = false;
  const api = fakeApi({
    postingCriteria: vi.fn(async () => ({
      posting: { id: P, title: 'Platform Engineer' },
      criteria: [criterion('Native English speaker', true, !confirmed), criterion('Five years of Rust', false)],
    })),
    confirmCriterion: vi.fn(async ({ confirmed: c }) => {
      confirmed = c;
      return { posting: { id: P, title: 'Platform Engineer' }, criteria: [] };
    }),
    checkCriteria: vi.fn(async ({ criteria }: { criteria: string[] }) => ({
      criteria: criteria.map((c) => criterion(c, /native/i.test(c))),
    })),
  });
  renderWith(<CriteriaCheckPanel postingId={P} admin />, api);
  const panel = await screen.findByTestId('criteria-check');
  await within(panel).findByText('Left out of scoring.');
  const card = panel.querySelector('article') as HTMLElement;
  expect(card.querySelector('p > q')).toHaveTextContent('Native English speaker');
  expect(card).toHaveTextContent('Left out of scoring.');
  expect(card).toHaveTextContent('National-origin proxy');
  expect(card).toHaveTextContent('Suggestion: Ask for the level of English');
  expect(within(panel).queryByText('Five years of Rust', { selector: 'q' })).toBeNull();

  const user = userEvent.setup();
  await user.click(within(card).getByRole('button', { name: 'Confirm: score it anyway' }));
  expect(api.confirmCriterion).toHaveBeenCalledWith({ postingId: P, text: 'Native English speaker', confirmed: true });
  expect(await within(panel).findByText('Scored: an admin confirmed it.')).toBeVisible();

  const input = within(panel).getByLabelText('Check a requirement or rubric line before you add it');
  await user.type(input, 'Strong written English');
  await user.click(within(panel).getByRole('button', { name: 'Check' }));
  expect(await within(panel).findByRole('status')).toHaveTextContent('Nothing flagged.');
  await user.clear(input);
  await user.type(input, 'Native English speaker');
  await user.click(within(panel).getByRole('button', { name: 'Check' }));
  await waitFor(() => expect(within(panel).getByRole('status')).toHaveTextContent('National-origin proxy'));
});

test('criteria: recruiters see the flags but no confirm button; nothing flagged says so', async () => {
  const api = fakeApi({
    postingCriteria: vi.fn(async () => ({
      posting: { id: P, title: 'Platform Engineer' },
      criteria: [criterion('Five years of Rust', false)],
    })),
  });
  renderWith(<CriteriaCheckPanel postingId={P} admin={false} />, api);
  expect(await screen.findByText(/No requirement of this posting names a protected trait/)).toBeVisible();
  expect(screen.queryByRole('button', { name: /Confirm/ })).toBeNull();
});

const retention: RetentionReport = {
  generatedAt: '2026-12-01T10:00:00.000Z',
  jurisdictions: ['california-ads'],
  jurisdictionsFrom: 'admin',
  adminRetentionDays: 180,
  classes: [
    {
      class: 'ai-outputs',
      records: 'AI outputs (cached scores, drafts, questions, syntheses: ai_results)',
      keepDays: 1461,
      rules: [{ jurisdiction: 'california-ads', minDays: 1461, citation: 'California' }],
      why: "Kept 1461 days: the admin's 180 days raised to the legal minimum (california-ads).",
      rows: 12,
      heldByLaw: 4,
      dueForDeletion: 1,
    },
    {
      class: 'audit-log',
      records: 'Audit log (every AI action and Lever write, hash-chained)',
      keepDays: null,
      rules: [],
      why: 'Never deleted by retention.',
      rows: 40,
      heldByLaw: 0,
      dueForDeletion: 0,
    },
  ],
  mustGo: { consentExpired: { opportunities: 2, rows: 3 }, erasureRequests: { pending: 1, done: 5 }, heldByLaw: 3 },
  notes: ['Pending proposals are kept whatever their age.'],
};

test('compliance admin: settings are shown and saved; the audit pack downloads as CSV; the retention report is shown', async () => {
  const putComplianceSettings = vi.fn(async ({ settings }) => ({ settings, updatedAt: '2026-12-01T10:00:00.000Z' }));
  const auditPackCsv = vi.fn(async () => 'table,category,applicants\nsex,Female,41\n');
  const api = fakeApi({
    status: vi.fn(async () => statusAs('admin')),
    complianceSettings: vi.fn(async () => ({ settings: DEFAULT_COMPLIANCE_SETTINGS, updatedAt: null })),
    putComplianceSettings,
    auditPackCsv,
    retentionReport: vi.fn(async () => retention),
  });
  renderWith(<ComplianceAdminPanel />, api);
  const user = userEvent.setup();
  const tag = await screen.findByLabelText('Lever tag for an opt-out of automated assessment');
  expect(tag).toHaveValue(DEFAULT_COMPLIANCE_SETTINGS.optOutTag);
  await user.type(screen.getByLabelText('Organisation named in the candidate notice'), 'Acme');
  await user.type(screen.getByLabelText(/Contact email/), 'hr@acme.test');
  await user.type(screen.getByLabelText(/Bias audit summary URL/), 'https://acme.test/bias-audit');
  await user.clear(tag);
  await user.type(tag, 'no-ai');
  await user.click(screen.getByLabelText(/show the score and verdict/));
  await user.click(screen.getByLabelText(/California/));
  await user.click(screen.getByLabelText(/European Union/));
  await user.click(screen.getByRole('button', { name: 'Save compliance settings' }));
  expect(putComplianceSettings).toHaveBeenCalledWith({
    settings: {
      optOutTag: 'no-ai',
      explanationsShowScores: true,
      organization: 'Acme',
      contactEmail: 'hr@acme.test',
      biasAuditUrl: 'https://acme.test/bias-audit',
      jurisdictions: ['california-ads', 'eu-ai-act'],
    },
  });
  expect(await screen.findByRole('status')).toHaveTextContent('Compliance settings saved.');

  const from = screen.getByLabelText('From');
  await user.clear(from);
  await user.type(from, '2026-01-01');
  const to = screen.getByLabelText('To');
  await user.clear(to);
  await user.type(to, '2026-06-30');
  await user.click(screen.getByRole('button', { name: 'Download audit pack (CSV)' }));
  await waitFor(() => expect(downloads.map((d) => d.name)).toEqual(['fulcrum-bias-audit-2026-01-01-2026-06-30.csv']));
  expect(auditPackCsv).toHaveBeenCalledWith({ from: '2026-01-01', to: '2026-06-30' });
  expect(await downloads[0]?.blob.text()).toContain('sex,Female,41');

  await user.click(screen.getByRole('button', { name: 'Show the retention report' }));
  const report = await screen.findByRole('region', { name: 'Retention report' });
  expect(report).toHaveTextContent('Jurisdictions: california-ads (these settings); admin retention period 180 days.');
  const ai = report.querySelector('[data-class="ai-outputs"]') as HTMLElement;
  expect(
    within(ai)
      .getAllByRole('cell')
      .map((c) => c.textContent),
  ).toEqual(['1461 days', '12', '4', '1']);
  expect(ai).toHaveTextContent('raised to the legal minimum (california-ads)');
  expect(report.querySelector('[data-class="audit-log"]')).toHaveTextContent('never deleted');
  expect(within(report).getByTestId('retention-must-go')).toHaveTextContent(
    'Must go: 2 candidates whose Lever consent expired (3 rows left); erasure requests 1 pending, 5 done.',
  );
});

test('compliance admin: a refused audit pack says why; an inverted date range cannot be asked for', async () => {
  const refused = Object.assign(new Error('This report covers every candidate, so it needs a Lever admin role.'), {
    kind: 'forbidden',
  });
  const api = fakeApi({
    status: vi.fn(async () => statusAs('admin')),
    complianceSettings: vi.fn(async () => ({ settings: DEFAULT_COMPLIANCE_SETTINGS, updatedAt: null })),
    auditPackCsv: vi.fn(async () => Promise.reject(refused)),
  });
  renderWith(<ComplianceAdminPanel />, api);
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: 'Download audit pack (CSV)' }));
  expect(await screen.findByText(/it needs a Lever admin role/)).toBeVisible();
  expect(downloads).toEqual([]);
  const from = screen.getByLabelText('From');
  await user.clear(from);
  await user.type(from, '2030-01-01');
  expect(screen.getByRole('button', { name: 'Download audit pack (CSV)' })).toBeDisabled();
});

test('compliance admin: hidden from recruiters', async () => {
  const api = fakeApi({ status: vi.fn(async () => statusAs('recruiter')) });
  renderWith(<ComplianceAdminPanel />, api);
  await act(async () => {});
  expect(screen.queryByRole('heading', { name: 'Compliance' })).toBeNull();
  expect(api.complianceSettings).not.toHaveBeenCalled();
});

test('compliance admin API: the audit pack is asked for as CSV text; the retention report is validated', async () => {
  const { fetch, calls } = fakeFetch((seen) =>
    seen.url.includes('audit-pack')
      ? new Response('table,category\nsex,Female\n', { status: 200, headers: { 'content-type': 'text/csv' } })
      : json(200, seen.url.endsWith('/retention') ? retention : {}),
  );
  expect(await handleApiRequest({ op: 'auditPackCsv', from: '2026-01-01', to: '2026-06-30' }, deps(fetch))).toEqual({
    ok: true,
    data: 'table,category\nsex,Female\n',
  });
  expect(calls[0]!.url).toBe(
    'http://127.0.0.1:8787/api/admin/compliance/audit-pack?from=2026-01-01&to=2026-06-30&format=csv',
  );
  expect(await handleApiRequest({ op: 'retentionReport' }, deps(fetch))).toEqual({ ok: true, data: retention });
  expect(calls[1]!.url).toBe('http://127.0.0.1:8787/api/admin/compliance/retention');
  // An answer that is not a retention report is refused, not shown.
  const broken = fakeFetch(() => json(200, { classes: 'none' }));
  expect(await handleApiRequest({ op: 'retentionReport' }, deps(broken.fetch))).toMatchObject({ ok: false });
});
