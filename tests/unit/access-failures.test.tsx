import { render, screen } from '@testing-library/react';
import { expect, test } from 'vitest';
import { ErrorNotice } from '@/components/ui/Feedback';
import { handleApiRequest } from '@/utils/background/api-handler';
import { handlerDeps as deps, fakeFetch, json } from './fake-fetch';
import { A } from './fixtures';

/**
 * What the side panel says when the backend's access policy refuses: a 404 is either a missing candidate or one the
 * recruiter's Lever role may not see (the backend never says which), and a recruiter with no Lever user is told why.
 */

test('a 404 for a candidate says it may be missing or not visible to this recruiter', async () => {
  const body = {
    error: {
      code: 'not_found',
      message: `Lever has no opportunity "${A}" (it may have been deleted, or the API key cannot see it).`,
    },
  };
  const { fetch } = fakeFetch(() => json(404, body));
  const result = await handleApiRequest({ op: 'candidate', opportunityId: A }, deps(fetch));
  expect(result).toMatchObject({ ok: false, error: { kind: 'not_found', status: 404 } });
  if (result.ok) return;
  render(<ErrorNotice failure={result.error} />);
  expect(screen.getByRole('alert').textContent).toMatch(/not visible to you/);
  expect(screen.getByRole('alert').textContent).toMatch(/your Lever role does not give you access/);
});

test('a recruiter whose email matches no Lever user is told to be added with their Lever email', async () => {
  const message =
    'Your Fulcrum email (x@acme.example) does not match an active Lever user, so Fulcrum shows you no Lever data.';
  const { fetch } = fakeFetch(() => json(403, { error: { code: 'no_lever_access', message } }));
  const result = await handleApiRequest({ op: 'candidate', opportunityId: A }, deps(fetch));
  expect(result).toMatchObject({ ok: false, error: { kind: 'no_lever_access', message } });
  if (result.ok) return;
  render(<ErrorNotice failure={result.error} />);
  expect(screen.getByRole('alert').textContent).toMatch(/not linked to an active Lever user/);
  expect(screen.getByRole('alert').textContent).toContain('x@acme.example');
});
