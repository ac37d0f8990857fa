import type { Provenance } from '../../utils/contracts/ai.ts';
import { AiError } from '../ai/errors.ts';
import { writeOfferParagraphsLlm } from '../ai/llm/offer-paragraphs.ts';
import { type OfferParagraphInput, type OfferParagraphs, writeOfferParagraphsLocal } from '../ai/offer-paragraphs.ts';
import { OpenAiProvider, openAiConfigFromEnv } from '../ai/openai-provider.ts';
import { LOCAL_ENGINE } from '../ai/score-candidate.ts';
import type { Posting } from '../lever/index.ts';
import type { OfferData } from './lever-data.ts';

/**
 * Who writes an offer letter's free-text paragraphs: the local engine, or (with AI_BASE_URL) an OpenAI-compatible
 * model that falls back to the local engine on any failure, `provenance.fallback` saying why. Either way the
 * paragraphs hold no figure and the model sees no candidate PII (ai/llm/offer-paragraphs.ts).
 */
export type ParagraphWriter = {
  info(): { provider: 'local' | 'openai'; model: string };
  write(data: OfferData): Promise<OfferParagraphs>;
};

export type ParagraphWriterOptions = {
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
  model?: string | undefined;
  timeoutMs?: number | undefined;
  now?: () => Date;
};

export function paragraphWriterFromEnv(env: Record<string, string | undefined> = process.env): ParagraphWriter {
  const c = openAiConfigFromEnv(env);
  return createParagraphWriter(
    c ? { baseUrl: c.baseUrl, apiKey: c.apiKey, model: c.model, timeoutMs: c.timeoutMs } : {},
  );
}

export function createParagraphWriter(opts: ParagraphWriterOptions = {}): ParagraphWriter {
  const now = opts.now ?? (() => new Date());
  const local: ParagraphWriter = {
    info: () => ({ provider: 'local', model: LOCAL_ENGINE.model }),
    write: async (data) => writeOfferParagraphsLocal(paragraphInput(data), now),
  };
  if (!opts.baseUrl) return local;
  const provider = new OpenAiProvider(
    {
      baseUrl: opts.baseUrl,
      model: opts.model ?? 'gpt-4o-mini',
      timeoutMs: opts.timeoutMs ?? 30_000,
      ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
    },
    { now },
  );
  return {
    info: () => ({ provider: 'openai', model: provider.model }),
    async write(data) {
      const opp = data.opportunity;
      const name = opp.name?.trim() ?? '';
      const known = {
        name,
        firstName: name.split(/\s+/)[0] ?? name,
        emails: opp.emails ?? [],
        phones: (opp.phones ?? []).map((p) => p.value),
        links: opp.links ?? [],
      };
      try {
        return await writeOfferParagraphsLlm(provider, paragraphInput(data), known);
      } catch (err) {
        const result = await local.write(data);
        const reason = err instanceof AiError ? `${err.code}: ${err.message}` : (err as Error)?.message;
        const provenance: Provenance = {
          ...result.provenance,
          fallback: { from: `openai:${provider.model}`, reason: String(reason) },
        };
        return { ...result, provenance };
      }
    },
  };
}

const DUTIES = /what you('ll| will)? do|responsibilit|day[- ]to[- ]day|in this role|your role|the role/i;

function htmlText(s: string): string {
  return s
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The list items of a posting list (Lever sends `<li>` HTML); split on `</li>`, so linear in the input. */
function items(html: string): string[] {
  return html
    .slice(0, 20_000)
    .split(/<\/li>/i)
    .map(htmlText)
    .filter(Boolean);
}

export function paragraphInput(data: OfferData): OfferParagraphInput {
  const p: Posting | null = data.posting;
  const responsibilities = (p?.content?.lists ?? [])
    .filter((l) => DUTIES.test(l.text))
    .flatMap((l) => items(l.content));
  return {
    jobTitle: p?.text ?? 'team member',
    team: data.requisition?.team ?? p?.categories?.team ?? null,
    description: (p?.content?.description ?? htmlText(p?.content?.descriptionHtml ?? '')).slice(0, 20_000),
    responsibilities,
  };
}
