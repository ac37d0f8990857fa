import { describe, expect, test } from 'vitest';
import { pageContextOf, parseOpportunityId, parsePostingId } from '@/utils/shared/lever-url';

const id = '7f1f5c2e-3c1b-4d6e-9a53-0f6f3f6c2a10';

describe('parseOpportunityId', () => {
  test.each([
    [`https://hire.lever.co/candidates/${id}`, id],
    [`https://hire.eu.lever.co/candidates/${id}?tab=feedback`, id],
    [`https://hire.sandbox.lever.co/candidates/${id.toUpperCase()}/`, id],
    [`http://127.0.0.1:8788/candidates/${id}`, id],
  ])('reads the id from %s', (url, expected) => {
    expect(parseOpportunityId(url)).toBe(expected);
  });

  test.each([
    'https://hire.lever.co/candidates',
    'https://hire.lever.co/candidates?stage=abc',
    'https://hire.lever.co/candidates/not-a-uuid',
    `https://evil.example/candidates/${id}`,
    `https://lever.co.evil.example/candidates/${id}`,
    `http://hire.lever.co/candidates/${id}`,
    'not a url',
  ])('ignores %s', (url) => {
    expect(parseOpportunityId(url)).toBeNull();
  });
});

test('posting pages are recognised, with and without /edit/', () => {
  expect(parsePostingId(`https://hire.lever.co/jobs/postings/edit/${id}`)).toBe(id);
  expect(parsePostingId(`http://127.0.0.1:8788/jobs/postings/${id}`)).toBe(id);
  expect(parsePostingId('https://hire.lever.co/jobs')).toBeNull();
});

test('pageContextOf tells candidate, posting and other pages apart', () => {
  expect(pageContextOf(`https://hire.lever.co/candidates/${id}`)).toMatchObject({
    kind: 'candidate',
    opportunityId: id,
  });
  expect(pageContextOf(`https://hire.lever.co/jobs/postings/${id}`)).toMatchObject({ kind: 'posting', postingId: id });
  expect(pageContextOf('https://example.com/')).toEqual({ kind: 'none' });
  expect(pageContextOf(undefined)).toEqual({ kind: 'none' });
});
