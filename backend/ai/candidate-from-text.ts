import type { CandidateInput } from './types.ts';

/**
 * A candidate known only by an id and plain resume text (CLI input, benches, bias-test copies): no contact details,
 * no location or headline. `extra` overrides fields (e.g. a name) without changing the field order.
 */
export function candidateFromText(id: string, text: string, extra: Partial<CandidateInput> = {}): CandidateInput {
  return {
    opportunityId: id,
    name: '',
    emails: [],
    phones: [],
    links: [],
    location: null,
    headline: null,
    resumeText: text,
    ...extra,
  };
}
