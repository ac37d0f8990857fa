import { act, render, screen, within } from '@testing-library/react';
import { beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { MatchPanel } from '@/components/candidate/MatchPanel';
import { ApiProvider } from '@/components/ui/api-context';
import { toFailure } from '@/utils/background/backend-client';
import type { MatchResult } from '@/utils/contracts/ai.ts';
import { resetPanelStore } from '@/utils/panel/store';
import { describeFailure } from '@/utils/shared/describe-failure';
import { ApiFailureError } from '@/utils/shared/messaging';
import { A, deferred, fakeApi, match } from './fixtures';

/**
 * Issue 15 in the side panel: a score that rests on a cut résumé says so, and a résumé the backend would not read
 * (over a limit, or over the sandbox's time or memory) is explained, not shown as a generic failure.
 */

beforeEach(() => {
  fakeBrowser.reset();
  resetPanelStore();
});

const TRUNCATED = 'Résumé truncated at 200,000 characters (of 412,345): only the first part was read.';

test('match: a score on a truncated résumé shows where the text was cut', async () => {
  const answer = deferred<MatchResult>();
  render(
    <ApiProvider api={fakeApi({ match: vi.fn(() => answer.promise) })}>
      <MatchPanel opportunityId={A} />
    </ApiProvider>,
  );
  const result = match(61, {
    truncated: [{ source: 'resume', originalChars: 412_345, keptChars: 200_000, longRunsCut: 0, message: TRUNCATED }],
  }) as MatchResult;
  await act(async () => answer.resolve(result));
  expect(screen.getByTestId('match-score')).toHaveTextContent('61');
  expect(within(screen.getByTestId('match-truncated')).getByText(TRUNCATED)).toBeInTheDocument();
});

test('match: no truncation notice on a whole résumé', async () => {
  const answer = deferred<MatchResult>();
  render(
    <ApiProvider api={fakeApi({ match: vi.fn(() => answer.promise) })}>
      <MatchPanel opportunityId={A} />
    </ApiProvider>,
  );
  await act(async () => answer.resolve(match(70) as MatchResult));
  expect(screen.getByTestId('match-score')).toHaveTextContent('70');
  expect(screen.queryByTestId('match-truncated')).not.toBeInTheDocument();
});

test("match: a résumé the backend would not read says why, and that retrying won't help", async () => {
  const message = 'The résumé could not be read in time: reading the PDF took longer than 10 s.';
  render(
    <ApiProvider
      api={fakeApi({
        match: vi.fn(async () => {
          throw new ApiFailureError({ kind: 'resume_unreadable', message, status: 422 });
        }),
      })}
    >
      <MatchPanel opportunityId={A} />
    </ApiProvider>,
  );
  const alert = await screen.findByRole('alert');
  expect(alert).toHaveTextContent(message);
  expect(alert).toHaveTextContent(/review it yourself; retrying will not change the result/);
});

test("the backend's 422 resume_unreadable becomes that failure kind, with its message", async () => {
  const { HTTPError } = await import('ky');
  const body = { error: { code: 'resume_unreadable', message: 'The DOCX file expands to more than 64 MB.' } };
  const response = new Response(JSON.stringify(body), { status: 422, headers: { 'content-type': 'application/json' } });
  const request = new Request('http://127.0.0.1:8787/api/candidates/x/match', { method: 'POST' });
  const failure = await toFailure(new HTTPError(response, request, {} as never), 'http://127.0.0.1:8787');
  expect(failure).toMatchObject({ kind: 'resume_unreadable', status: 422, message: body.error.message });
  expect(describeFailure(failure).title).toBe(body.error.message);
});
