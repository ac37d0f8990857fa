import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { FeedbackPanel } from '@/components/candidate/FeedbackPanel';
import { HistoryPanel } from '@/components/candidate/HistoryPanel';
import { InterviewPanel } from '@/components/candidate/InterviewPanel';
import { ReviewSheet } from '@/components/review/ReviewSheet';
import { ApiProvider } from '@/components/ui/api-context';
import type { Proposal } from '@/utils/contracts/api.ts';
import { resetPanelStore } from '@/utils/panel/store';
import { ApiFailureError, type FulcrumApi } from '@/utils/shared/messaging';
import { A, AI_LABEL, candidate, deferred, fakeApi, proposal } from './fixtures';

beforeEach(() => {
  fakeBrowser.reset();
  resetPanelStore();
});

function renderWith(ui: ReactNode, api: FulcrumApi) {
  return render(<ApiProvider api={api}>{ui}</ApiProvider>);
}

function sheet(api: FulcrumApi, onClose = vi.fn()) {
  renderWith(
    <ReviewSheet
      opportunityId={A}
      kind="outreach"
      payload={{ note: { text: 'Called Ada' } }}
      reason="Log the call"
      leverUrl={`https://hire.lever.co/candidates/${A}`}
      onClose={onClose}
    />,
    api,
  );
  return onClose;
}

// ---------------------------------------------------------------------------------------------------------------
// Review sheet

test('review: Approve is disabled while the write is in flight, so a double click writes once', async () => {
  const user = userEvent.setup();
  const base = fakeApi();
  const write = deferred<Proposal>();
  const approveProposal = vi.fn(async (request: { id: string; dryRun: boolean }) =>
    request.dryRun ? base.approveProposal(request) : write.promise,
  );
  const api = { ...base, approveProposal } as FulcrumApi;
  sheet(api);
  const approve = await screen.findByRole('button', { name: 'Approve and write to Lever' });
  await waitFor(() => expect(approve).toBeEnabled());
  await user.dblClick(approve);
  expect(screen.getByRole('button', { name: 'Writing to Lever…' })).toBeDisabled();
  await user.click(screen.getByRole('button', { name: 'Writing to Lever…' }));
  expect(approveProposal.mock.calls.filter(([request]) => !request.dryRun)).toHaveLength(1);
  await act(async () => write.resolve(proposal({ status: 'written', result: { written: ['note'], noteId: 'n1' } })));
  expect(screen.getByRole('heading', { name: 'Written to Lever' })).toBeInTheDocument();
  expect(screen.getByText('Note id n1')).toBeInTheDocument();
});

test('review: nothing is approved before the preview is shown, and the preview carries the AI label', async () => {
  const api = fakeApi();
  const dryRun = deferred<Proposal>();
  const approveProposal = vi.fn(() => dryRun.promise);
  sheet({ ...api, approveProposal } as FulcrumApi);
  const approve = await screen.findByRole('button', { name: 'Approve and write to Lever' });
  expect(approve).toBeDisabled();
  expect(approveProposal).toHaveBeenCalledWith({ id: 'prop-1', dryRun: true });
  await act(async () => dryRun.resolve(proposal({ payload: { note: { text: 'Called Ada' } } })));
  expect(screen.getByTestId('note-preview')).toHaveTextContent(`Called Ada${AI_LABEL}`.replace(/\s+/g, ' ').trim());
  expect(approve).toBeEnabled();
});

test('review: a failed write says why and Retry re-approves the same proposal', async () => {
  const user = userEvent.setup();
  const base = fakeApi();
  let attempts = 0;
  const approveProposal = vi.fn(async (request: { id: string; dryRun: boolean }) => {
    if (request.dryRun) return base.approveProposal(request);
    attempts += 1;
    if (attempts === 1) throw new ApiFailureError({ kind: 'unreachable', message: 'Failed to fetch' });
    return base.approveProposal(request);
  });
  sheet({ ...base, approveProposal } as FulcrumApi);
  const approve = await screen.findByRole('button', { name: 'Approve and write to Lever' });
  await waitFor(() => expect(approve).toBeEnabled());
  await user.click(approve);
  const alert = await screen.findByRole('alert');
  expect(alert).toHaveTextContent('Start the backend with npm start');
  await user.click(within(alert).getByRole('button', { name: 'Retry' }));
  expect(await screen.findByRole('heading', { name: 'Written to Lever' })).toBeInTheDocument();
  expect(approveProposal.mock.calls.filter(([r]) => !r.dryRun).map(([r]) => r.id)).toEqual(['prop-1', 'prop-1']);
  expect(base.notesWritten).toHaveLength(1);
});

test('review: a proposal the backend marks failed shows its error', async () => {
  const user = userEvent.setup();
  const base = fakeApi();
  const approveProposal = vi.fn(async (request: { id: string; dryRun: boolean }) =>
    request.dryRun ? base.approveProposal(request) : proposal({ status: 'failed', error: 'Lever returned 500' }),
  );
  sheet({ ...base, approveProposal } as FulcrumApi);
  const approve = await screen.findByRole('button', { name: 'Approve and write to Lever' });
  await waitFor(() => expect(approve).toBeEnabled());
  await user.click(approve);
  expect(await screen.findByRole('alert')).toHaveTextContent('Lever returned 500');
  expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
});

test('review: Discard writes nothing and closes the sheet', async () => {
  const user = userEvent.setup();
  const api = fakeApi();
  const onClose = sheet(api);
  await screen.findByTestId('note-preview');
  await user.click(screen.getByRole('button', { name: 'Discard' }));
  expect(api.discardProposal).toHaveBeenCalledWith({ id: 'prop-1' });
  expect(onClose).toHaveBeenCalledWith('discarded');
  expect(api.notesWritten).toHaveLength(0);
});

// ---------------------------------------------------------------------------------------------------------------
// Interview

test('interview: questions for the stage, grouped by criterion; pick, edit and save only the chosen ones', async () => {
  const user = userEvent.setup();
  const api = fakeApi();
  renderWith(<InterviewPanel opportunityId={A} candidate={candidate(A)} candidateSettled />, api);
  expect(screen.getByRole('status', { name: /preparing interview questions/i })).toBeInTheDocument();
  const go = await screen.findByRole('group', { name: '5+ years of Go' });
  expect(api.questions).toHaveBeenCalledWith({ opportunityId: A, stage: 'Phone screen', refresh: false });
  expect(within(go).getAllByRole('checkbox')).toHaveLength(2);
  expect(screen.getByRole('group', { name: 'Kubernetes in production' })).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Save 3 to Lever' })).toBeEnabled();

  await user.click(screen.getByRole('checkbox', { name: 'How do you profile Go code?' }));
  await user.click(screen.getByRole('button', { name: 'Edit question: Describe a Go service you designed.' }));
  const editor = screen.getByRole('textbox', { name: 'Question text' });
  await user.clear(editor);
  await user.type(editor, 'Walk me through a Go service you own.');
  expect(screen.getByRole('checkbox', { name: 'Walk me through a Go service you own.' })).toBeChecked();

  await user.click(screen.getByRole('button', { name: 'Save 2 to Lever' }));
  const preview = await screen.findByTestId('note-preview');
  expect(preview.textContent).toContain('Interview questions for Phone screen');
  expect(preview.textContent).toContain('- Walk me through a Go service you own.');
  expect(preview.textContent).toContain('- Tell me about a Kubernetes incident.');
  expect(preview.textContent).not.toContain('profile Go code');
  expect(api.createProposal).toHaveBeenCalledWith(expect.objectContaining({ kind: 'interview-questions' }));
});

test('interview: waits for the candidate’s stage, and a failure says what to do', async () => {
  const api = fakeApi({
    questions: vi.fn(async () => {
      throw new ApiFailureError({ kind: 'rate_limited', message: 'Slow down', status: 429 });
    }),
  });
  const { rerender } = renderWith(<InterviewPanel opportunityId={A} candidateSettled={false} />, api);
  expect(screen.getByRole('status', { name: /preparing interview questions/i })).toBeInTheDocument();
  expect(api.questions).not.toHaveBeenCalled();
  rerender(
    <ApiProvider api={api}>
      <InterviewPanel opportunityId={A} candidate={candidate(A)} candidateSettled />
    </ApiProvider>,
  );
  const alert = await screen.findByRole('alert');
  expect(alert).toHaveTextContent('Wait a few seconds, then try again.');
  expect(api.questions).toHaveBeenCalledWith({ opportunityId: A, stage: 'Phone screen', refresh: false });
});

test('interview: nothing selected means nothing to save', async () => {
  const user = userEvent.setup();
  renderWith(<InterviewPanel opportunityId={A} candidate={candidate(A)} candidateSettled />, fakeApi());
  for (const box of await screen.findAllByRole('checkbox')) await user.click(box);
  expect(screen.getByRole('button', { name: 'Save 0 to Lever' })).toBeDisabled();
});

// ---------------------------------------------------------------------------------------------------------------
// Feedback

test('feedback: with no feedback yet, an empty state and no request', async () => {
  const api = fakeApi();
  renderWith(<FeedbackPanel opportunityId={A} candidate={candidate(A, { feedbackCount: 0 })} />, api);
  expect(screen.getByText('No interview feedback yet.')).toBeInTheDocument();
  expect(api.feedback).not.toHaveBeenCalled();
});

test('feedback: consensus, distribution, disagreement with points linking to Lever, and flags with reasons', async () => {
  renderWith(<FeedbackPanel opportunityId={A} candidate={candidate(A)} />, fakeApi());
  expect(await screen.findByText('Mixed')).toBeInTheDocument();
  expect(screen.getByText('Interviewers split on system design.')).toBeInTheDocument();
  expect(screen.getByText('No hire').closest('li')).toHaveTextContent('1');
  expect(screen.getByText('Interviewers disagree')).toBeInTheDocument();
  const link = screen.getByRole('link', { name: 'Kim Park’s feedback in Lever' });
  expect(link).toHaveAttribute('href', `https://hire.lever.co/candidates/${A}`);
  expect(link.closest('li')).toHaveTextContent('form fb-2');
  expect(link.closest('li')).toHaveTextContent('Missed the failure modes');
  expect(screen.getByText('“Culture fit” without evidence')).toBeInTheDocument();
  expect(screen.getByText('No behaviour is described to support it.')).toBeInTheDocument();
  expect(screen.getByText(/Nobody assessed/).closest('p')).toHaveTextContent('Kubernetes in production');
});

test('feedback: a failure shows an instruction and Retry', async () => {
  const api = fakeApi({
    feedback: vi.fn(async () => {
      throw new ApiFailureError({ kind: 'lever_unavailable', message: 'Lever timed out' });
    }),
  });
  renderWith(<FeedbackPanel opportunityId={A} candidate={candidate(A)} />, api);
  const alert = await screen.findByRole('alert');
  expect(alert).toHaveTextContent('Lever is not answering right now.');
  expect(within(alert).getByRole('button', { name: 'Retry' })).toBeInTheDocument();
});

// ---------------------------------------------------------------------------------------------------------------
// History

test('history: newest first, with who, what, and which model', async () => {
  renderWith(<HistoryPanel opportunityId={A} />, fakeApi());
  const items = await screen.findAllByRole('listitem');
  expect(items[0]).toHaveTextContent('match: written');
  expect(items[0]).toHaveTextContent('approved');
  expect(items[1]).toHaveTextContent('match: generated');
  expect(items[1]).toHaveTextContent('rita@example.com');
  expect(items[1]).toHaveTextContent('local fulcrum-local');
});

test('history: empty and error states', async () => {
  const { unmount } = renderWith(<HistoryPanel opportunityId={A} />, fakeApi({ audit: vi.fn(async () => []) }));
  expect(await screen.findByText('No history yet.')).toBeInTheDocument();
  unmount();
  resetPanelStore();
  renderWith(
    <HistoryPanel opportunityId={A} />,
    fakeApi({
      audit: vi.fn(async () => {
        throw new ApiFailureError({ kind: 'no_token', message: '' });
      }),
    }),
  );
  expect(await screen.findByRole('alert')).toHaveTextContent('Paste a valid token in Settings');
});
