import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { OfferPanel } from '@/components/candidate/OfferPanel';
import { CandidateView } from '@/components/panel/SidePanel';
import { ApiProvider } from '@/components/ui/api-context';
import type { OfferView } from '@/utils/contracts/offers.ts';
import { resetPanelStore } from '@/utils/panel/store';
import type { FulcrumApi } from '@/utils/shared/messaging';
import { A, candidate, fakeApi } from './fixtures';

beforeEach(() => {
  fakeBrowser.reset();
  resetPanelStore();
});

const renderWith = (ui: ReactNode, api: FulcrumApi) => render(<ApiProvider api={api}>{ui}</ApiProvider>);

function view(over: Partial<OfferView> = {}): OfferView {
  return {
    letterId: '7d4c2b1a-0000-4000-8000-000000000001',
    opportunityId: A,
    status: 'in-approval',
    team: 'Platform',
    templateName: 'Standard offer letter',
    version: 2,
    text: 'Dear Ada Lovelace,\n\nBase salary: USD 140,000 per year',
    fields: { salary: { value: '140,000', source: 'offer.fields.salary_amount' } },
    checks: [
      {
        name: 'salary_in_band',
        ok: false,
        detail: 'USD 140,000 is above the requisition’s band USD 95,000–125,000',
        override: null,
      },
      { name: 'start_date', ok: true, detail: 'Monday 2 August 2027: a future working day.', override: null },
    ],
    blocked: true,
    justification: null,
    chain: [
      { name: 'Recruiter', approvers: ['owner'], state: 'next', decidedBy: null, decidedAt: null },
      { name: 'Hiring manager', approvers: ['hiring-manager'], state: 'waiting', decidedBy: null, decidedAt: null },
    ],
    canApprove: false,
    approveHint: 'Failed checks block approval until they are resolved or overridden by an admin.',
    canOverride: true,
    diff: {
      fromVersion: 1,
      lines: [
        { op: ' ', text: 'Dear Ada Lovelace,' },
        { op: '-', text: 'We look forward to welcoming you.' },
        { op: '+', text: 'We look forward to welcoming you to the team.' },
      ],
    },
    versions: [
      { version: 1, createdBy: 'a@x.example', createdAt: '2026-12-01T10:00:00.000Z' },
      { version: 2, createdBy: 'a@x.example', createdAt: '2026-12-01T11:00:00.000Z' },
    ],
    proposal: null,
    provenance: null,
    ...over,
  };
}

test('offer: shows the letter, the checks, the chain and the diff; a failed check blocks Approve until an admin overrides it', async () => {
  const overridden = view({
    blocked: false,
    canApprove: true,
    approveHint: null,
    canOverride: false,
    checks: [
      {
        ...view().checks[0]!,
        override: { reason: 'Exception agreed with finance', actor: 'fin@x.example', at: '2026-12-01T12:00:00.000Z' },
      },
      view().checks[1]!,
    ],
  });
  const approved = view({
    ...overridden,
    chain: [
      { ...overridden.chain[0]!, state: 'approved', decidedBy: 'a@x.example' },
      { ...overridden.chain[1]!, state: 'next' },
    ],
  });
  const api = fakeApi({
    offer: vi.fn(async () => ({ letter: view() })),
    overrideOfferCheck: vi.fn(async () => overridden),
    approveOffer: vi.fn(async () => approved),
  });
  renderWith(<OfferPanel opportunityId={A} />, api);

  expect(await screen.findByLabelText('Offer letter')).toHaveTextContent('Base salary: USD 140,000 per year');
  const band = screen.getByText('salary_in_band').closest('li')!;
  expect(within(band).getByText('Failed')).toBeInTheDocument();
  expect(screen.getByRole('alert')).toHaveTextContent('blocked by 1 failed check');
  expect(screen.getByLabelText('Changes')).toHaveTextContent(
    '- We look forward to welcoming you. + We look forward to welcoming you to the team.',
  );
  expect(within(screen.getByLabelText('Approval chain')).getByText('Recruiter: next')).toBeInTheDocument();
  const approve = screen.getByRole('button', { name: 'Approve' });
  expect(approve).toBeDisabled();

  const user = userEvent.setup();
  await user.type(within(band).getByLabelText('Override reason'), 'Exception agreed with finance');
  await user.click(within(band).getByRole('button', { name: 'Override' }));
  expect(api.overrideOfferCheck).toHaveBeenCalledWith({
    letterId: view().letterId,
    check: 'salary_in_band',
    reason: 'Exception agreed with finance',
  });
  expect(await screen.findByText(/Overridden by fin@x.example/)).toBeInTheDocument();
  await waitFor(() => expect(screen.getByRole('button', { name: 'Approve' })).toBeEnabled());
  await user.click(screen.getByRole('button', { name: 'Approve' }));
  expect(api.approveOffer).toHaveBeenCalledWith({ letterId: view().letterId, version: 2 });
  expect(await screen.findByText('Recruiter: approved by a@x.example')).toBeInTheDocument();
});

test('offer: no letter yet offers a draft; the Offer tab exists only in the Offer stage', async () => {
  const api = fakeApi({
    candidate: vi.fn(async () => candidate(A, { stage: { id: 's-offer', text: 'Offer' } })),
    offer: vi.fn(async () => ({ letter: null })),
    draftOffer: vi.fn(async () => view({ version: 1, diff: { fromVersion: null, lines: [] } })),
  });
  renderWith(<CandidateView opportunityId={A} />, api);
  const user = userEvent.setup();
  await user.click(await screen.findByRole('tab', { name: 'Offer' }));
  await user.click(await screen.findByRole('button', { name: 'Draft the offer letter' }));
  expect(api.draftOffer).toHaveBeenCalledWith({ opportunityId: A });
  expect(await screen.findByLabelText('Offer letter')).toBeInTheDocument();
  expect(screen.queryByLabelText('Changes')).toBeNull();
});

test('offer: no Offer tab for a candidate in another stage', async () => {
  const api = fakeApi();
  renderWith(<CandidateView opportunityId={A} />, api);
  expect(await screen.findByRole('tab', { name: 'Match' })).toBeInTheDocument();
  await waitFor(() => expect(api.candidate).toHaveBeenCalled());
  expect(screen.queryByRole('tab', { name: 'Offer' })).toBeNull();
});

test('offer: the letter is edited as a new version, and a salary outside the band needs a justification first', async () => {
  const revised = view({
    version: 3,
    text: 'Dear Ada Lovelace,\n\nWe are delighted.\n\nBase salary: USD 140,000 per year',
    justification: 'Matches a competing offer from a peer company',
  });
  const api = fakeApi({
    offer: vi.fn(async () => ({ letter: view() })),
    reviseOffer: vi.fn(async () => revised),
  });
  renderWith(<OfferPanel opportunityId={A} />, api);
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: 'Edit the letter or justify the salary' }));
  const form = screen.getByRole('form', { name: 'Edit the offer letter' });
  const letter = within(form).getByLabelText('Letter text');
  expect(letter).toHaveValue(view().text);
  await user.clear(letter);
  await user.type(
    letter,
    'Dear Ada Lovelace,{enter}{enter}We are delighted.{enter}{enter}Base salary: USD 140,000 per year',
  );
  const save = within(form).getByRole('button', { name: 'Save as a new version' });
  // Outside the band: no save without a reason, and not with a too-short one.
  expect(save).toBeDisabled();
  expect(within(form).getByRole('status')).toHaveTextContent('outside the band');
  const why = within(form).getByLabelText(/Justification for the salary outside the band/);
  await user.type(why, 'too short');
  expect(save).toBeDisabled();
  await user.clear(why);
  await user.type(why, 'Matches a competing offer from a peer company');
  expect(save).toBeEnabled();
  await user.click(save);
  expect(api.reviseOffer).toHaveBeenCalledWith({
    letterId: view().letterId,
    text: 'Dear Ada Lovelace,\n\nWe are delighted.\n\nBase salary: USD 140,000 per year',
    justification: 'Matches a competing offer from a peer company',
  });
  expect(await screen.findByText(/version 3/)).toBeInTheDocument();
  expect(screen.getByText(/Justification: “Matches a competing offer/)).toBeInTheDocument();
  expect(screen.getByLabelText('Offer letter')).toHaveTextContent('We are delighted.');
});

test('offer: inside the band the justification is optional', async () => {
  const inBand = view({ checks: [view().checks[1]!], blocked: false });
  const api = fakeApi({
    offer: vi.fn(async () => ({ letter: inBand })),
    reviseOffer: vi.fn(async () => view({ ...inBand, version: 3 })),
  });
  renderWith(<OfferPanel opportunityId={A} />, api);
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: 'Edit the letter' }));
  await user.type(screen.getByLabelText('Letter text'), '{enter}Kind regards');
  await user.click(screen.getByRole('button', { name: 'Save as a new version' }));
  expect(api.reviseOffer).toHaveBeenCalledWith({ letterId: view().letterId, text: `${view().text}\nKind regards` });
});
