import { z } from 'zod';
import { LeverApiError, LeverBadRequestError } from './errors.ts';
import {
  type ArchiveReason,
  ArchiveReasonSchema,
  CreatedNoteSchema,
  type DeletedOpportunity,
  DeletedOpportunitySchema,
  type EeoPiiResponse,
  EeoPiiResponseSchema,
  type EeoResponse,
  EeoResponseSchema,
  type Feedback,
  FeedbackSchema,
  type Interview,
  InterviewSchema,
  type LeverFile,
  LeverFileSchema,
  ListEnvelopeSchema,
  type Note,
  NoteSchema,
  type Offer,
  OfferSchema,
  type Opportunity,
  OpportunitySchema,
  type Panel,
  PanelSchema,
  type Posting,
  PostingSchema,
  type Requisition,
  RequisitionSchema,
  type Resume,
  ResumeSchema,
  type Stage,
  StageSchema,
  type User,
  UserSchema,
  type Webhook,
  type WebhookEvent,
  WebhookSchema,
} from './schemas.ts';
import {
  type LeverStats,
  LeverTransport,
  type Query,
  type RequestSpec,
  safeJson,
  type TransportOptions,
} from './transport.ts';

/**
 * Typed client for Lever's Data API v1: the only code in Fulcrum that talks to Lever (or the emulator).
 * Lists are async iterators over Lever's opaque cursor; they restart from page one (skipping what was already
 * yielded) when Lever says the cursor went stale. Writes take `performAs` (a Lever user id) for attribution.
 */

export const LEVER_BASE_URLS = {
  production: 'https://api.lever.co/v1',
  eu: 'https://api.eu.lever.co/v1',
  sandbox: 'https://api.sandbox.lever.co/v1',
  emulator: 'http://127.0.0.1:8788/v1',
} as const;

export type LeverClientOptions = TransportOptions;

export type WriteOptions = { performAs?: string };
type Many = string | readonly string[];

export type OpportunityExpand = 'applications' | 'stage' | 'owner' | 'followers' | 'sourcedBy' | 'contact';

export type OpportunityFilters = {
  updatedAtStart?: number;
  updatedAtEnd?: number;
  createdAtStart?: number;
  createdAtEnd?: number;
  postingId?: Many;
  stageId?: Many;
  tag?: Many;
  email?: string;
  contactId?: string;
  origin?: string;
  archived?: boolean;
  archiveReasonId?: string;
  confidentiality?: 'all' | 'confidential' | 'non-confidential';
  expand?: readonly OpportunityExpand[];
  include?: readonly string[];
  /** Page size, 1–100 (default 100). */
  limit?: number;
};

type Confidentiality = 'all' | 'confidential' | 'non-confidential';
export type PostingExpand = 'user' | 'owner' | 'hiringManager' | 'followers';

/**
 * Filters of `GET /postings`. Lever's docs allow the `updated_at_*` window together with `confidentiality` only, so
 * the two kinds are separate shapes (and the client refuses a mix at run time too). There is no `include`: the list
 * returns `content` by default, and `include` would strip every field not named (text and state included).
 */
export type PostingFilters =
  | {
      state?: string;
      distributionChannel?: string;
      team?: string;
      department?: string;
      location?: string;
      commitment?: string;
      level?: string;
      tag?: Many;
      confidentiality?: Confidentiality;
      expand?: readonly PostingExpand[];
      limit?: number;
      updatedAtStart?: never;
      updatedAtEnd?: never;
    }
  | {
      updatedAtStart?: number;
      updatedAtEnd?: number;
      confidentiality?: Confidentiality;
      expand?: readonly PostingExpand[];
      limit?: number;
    };

const POSTING_ATTRIBUTE_FILTERS = [
  'state',
  'distributionChannel',
  'team',
  'department',
  'location',
  'commitment',
  'level',
  'tag',
] as const;

/** `include` returns only the fields named, so the client always asks for `id` too (every caller keys on it). */
function withId(include: readonly string[] | undefined): readonly string[] | undefined {
  return include && include.length > 0 && !include.includes('id') ? ['id', ...include] : include;
}

export type NoteInput = { value: string; secret?: boolean; score?: 1 | 2 | 3 | 4; notifyFollowers?: boolean };

export type PanelInput = {
  timezone: string;
  start?: number;
  end?: number;
  note?: string;
  externalUrl?: string;
  interviews: Array<{
    subject?: string;
    note?: string;
    interviewers: Array<{ id: string; feedbackTemplate?: string }>;
    date: number;
    duration: number;
    location?: string;
    feedbackTemplate?: string;
  }>;
};

export type CreateWebhookInput = { url: string; event: WebhookEvent; origins?: readonly string[] };

const many = (v: Many | undefined): readonly string[] | undefined =>
  v === undefined ? undefined : typeof v === 'string' ? [v] : v;

/** Pages a list endpoint answers: the items, and the cursor for the next page if there is one. */
function pageItems(json: unknown, key?: string): { items: unknown[]; next: string | undefined } {
  if (Array.isArray(json)) return { items: json, next: undefined };
  const env = ListEnvelopeSchema.safeParse(json);
  if (!env.success) return { items: [], next: undefined };
  let data = env.data.data;
  // Documented oddity: some endpoints double-wrap (`data.data`) or nest the list under a key (`eeoResponses`).
  if (key && data && typeof data === 'object' && key in data) data = (data as Record<string, unknown>)[key];
  if (data && !Array.isArray(data) && typeof data === 'object' && 'data' in data) {
    data = (data as { data: unknown }).data;
  }
  const items = Array.isArray(data) ? data : [];
  return { items, next: env.data.hasNext && env.data.next ? env.data.next : undefined };
}

export class LeverClient {
  protected readonly http: LeverTransport;

  constructor(opts: LeverClientOptions) {
    this.http = new LeverTransport(opts);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Running counts since this client was created (requests sent, 429s seen, retries, errors thrown). */
  get stats(): Readonly<LeverStats> {
    return { ...this.http.stats };
  }

  get requestCount(): number {
    return this.http.stats.requests;
  }

  // ---------------------------------------------------------------- plumbing

  protected async json<T extends z.ZodType>(spec: RequestSpec, schema: T): Promise<z.infer<T>> {
    const res = await this.http.request(spec);
    const body = safeJson(res.body);
    let data = body && typeof body === 'object' && 'data' in body ? (body as { data: unknown }).data : body;
    if (data && typeof data === 'object' && !Array.isArray(data) && 'data' in data && !('id' in data)) {
      data = (data as { data: unknown }).data; // documented `data.data` double wrap on some creates
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw this.invalid(spec, parsed.error);
    return parsed.data;
  }

  protected async none(spec: RequestSpec): Promise<void> {
    await this.http.request(spec);
  }

  private invalid(spec: RequestSpec, error: z.ZodError): LeverApiError {
    return new LeverApiError({
      kind: 'invalid-response',
      status: 200,
      code: 'InvalidResponse',
      leverMessage: z.prettifyError(error).slice(0, 500),
      retryable: false,
      method: spec.method,
      path: spec.path,
    });
  }

  /**
   * Walks every page of a list endpoint. On "invalid offset token" it restarts from the first page (at most 3
   * times) and skips ids it already yielded, so a caller sees each object once.
   */
  async *paginate<T extends z.ZodType>(
    path: string,
    query: Query,
    schema: T,
    key?: string,
  ): AsyncGenerator<z.infer<T>> {
    const seen = new Set<string>();
    let offset: string | undefined;
    let restarts = 0;
    for (;;) {
      const spec: RequestSpec = { method: 'GET', path, query: { ...query, limit: query.limit ?? 100, offset } };
      let body: unknown;
      try {
        body = safeJson((await this.http.request(spec)).body);
      } catch (e) {
        if (e instanceof LeverBadRequestError && e.isInvalidOffset && offset !== undefined && restarts < 3) {
          restarts++;
          offset = undefined;
          continue;
        }
        throw e;
      }
      const page = pageItems(body, key);
      for (const raw of page.items) {
        const parsed = schema.safeParse(raw);
        if (!parsed.success) throw this.invalid(spec, parsed.error);
        const id = (parsed.data as { id?: unknown }).id;
        if (typeof id === 'string') {
          if (seen.has(id)) continue;
          seen.add(id);
        }
        yield parsed.data;
      }
      if (!page.next) return;
      offset = page.next;
    }
  }

  protected opp(id: string, rest = ''): string {
    return `/opportunities/${encodeURIComponent(id)}${rest}`;
  }

  // ---------------------------------------------------------------- opportunities

  /**
   * One opportunity. With `include`, Lever answers only the fields named (plus `id`, which the client adds); `expand`
   * overrides `include` for the fields it names.
   */
  getOpportunity(id: string, opts: { expand?: readonly OpportunityExpand[]; include?: readonly string[] } = {}) {
    return this.json(
      { method: 'GET', path: this.opp(id), query: { expand: opts.expand, include: withId(opts.include) } },
      OpportunitySchema,
    );
  }

  listOpportunities(filters: OpportunityFilters = {}): AsyncGenerator<Opportunity> {
    const f = filters;
    return this.paginate(
      '/opportunities',
      {
        limit: f.limit,
        updated_at_start: f.updatedAtStart,
        updated_at_end: f.updatedAtEnd,
        created_at_start: f.createdAtStart,
        created_at_end: f.createdAtEnd,
        posting_id: many(f.postingId),
        stage_id: many(f.stageId),
        tag: many(f.tag),
        email: f.email,
        contact_id: f.contactId,
        origin: f.origin,
        archived: f.archived,
        archive_reason_id: f.archiveReasonId,
        confidentiality: f.confidentiality,
        expand: f.expand,
        include: withId(f.include),
      },
      OpportunitySchema,
    );
  }

  listDeletedOpportunities(
    f: { deletedAtStart?: number; deletedAtEnd?: number } = {},
  ): AsyncGenerator<DeletedOpportunity> {
    return this.paginate(
      '/opportunities/deleted',
      { deleted_at_start: f.deletedAtStart, deleted_at_end: f.deletedAtEnd },
      DeletedOpportunitySchema,
    );
  }

  listNotes(oppId: string): AsyncGenerator<Note> {
    return this.paginate(this.opp(oppId, '/notes'), {}, NoteSchema);
  }

  listFeedback(oppId: string): AsyncGenerator<Feedback> {
    return this.paginate(this.opp(oppId, '/feedback'), {}, FeedbackSchema);
  }

  listResumes(oppId: string): AsyncGenerator<Resume> {
    return this.paginate(this.opp(oppId, '/resumes'), {}, ResumeSchema);
  }

  async downloadResume(oppId: string, resumeId: string): Promise<Buffer> {
    const path = this.opp(oppId, `/resumes/${encodeURIComponent(resumeId)}/download`);
    return (await this.http.request({ method: 'GET', path })).body;
  }

  listFiles(oppId: string): AsyncGenerator<LeverFile> {
    return this.paginate(this.opp(oppId, '/files'), {}, LeverFileSchema);
  }

  listInterviews(oppId: string): AsyncGenerator<Interview> {
    return this.paginate(this.opp(oppId, '/interviews'), {}, InterviewSchema);
  }

  listPanels(oppId: string): AsyncGenerator<Panel> {
    return this.paginate(this.opp(oppId, '/panels'), {}, PanelSchema);
  }

  listOffers(oppId: string): AsyncGenerator<Offer> {
    return this.paginate(this.opp(oppId, '/offers'), {}, OfferSchema);
  }

  // ---------------------------------------------------------------- reference data

  /** The whole posting (`content` included, as Lever returns it by default). */
  getPosting(id: string, opts: { expand?: readonly PostingExpand[] } = {}): Promise<Posting> {
    return this.json(
      { method: 'GET', path: `/postings/${encodeURIComponent(id)}`, query: { expand: opts.expand } },
      PostingSchema,
    );
  }

  listPostings(f: PostingFilters = {}): AsyncGenerator<Posting> {
    const attrs = f as Partial<Record<(typeof POSTING_ATTRIBUTE_FILTERS)[number], unknown>>;
    const window = f.updatedAtStart !== undefined || f.updatedAtEnd !== undefined;
    const mixed = POSTING_ATTRIBUTE_FILTERS.filter((k) => attrs[k] !== undefined);
    if (window && mixed.length > 0) {
      throw new TypeError(
        `Lever's GET /postings accepts updated_at_* only together with confidentiality; drop ${mixed.join(', ')} or the time window.`,
      );
    }
    const a = f as Extract<PostingFilters, { state?: string }>;
    return this.paginate(
      '/postings',
      {
        limit: f.limit,
        state: a.state,
        distributionChannel: a.distributionChannel,
        team: a.team,
        department: a.department,
        location: a.location,
        commitment: a.commitment,
        level: a.level,
        tag: many(a.tag),
        confidentiality: f.confidentiality,
        updated_at_start: f.updatedAtStart,
        updated_at_end: f.updatedAtEnd,
        expand: f.expand,
      },
      PostingSchema,
    );
  }

  async listStages(): Promise<Stage[]> {
    return collect(this.paginate('/stages', {}, StageSchema));
  }

  async listArchiveReasons(f: { type?: 'hired' | 'non-hired' } = {}): Promise<ArchiveReason[]> {
    return collect(this.paginate('/archive_reasons', { type: f.type }, ArchiveReasonSchema));
  }

  listUsers(f: { email?: string; accessRole?: string; includeDeactivated?: boolean } = {}): AsyncGenerator<User> {
    return this.paginate(
      '/users',
      { email: f.email, accessRole: f.accessRole, includeDeactivated: f.includeDeactivated },
      UserSchema,
    );
  }

  getUser(id: string): Promise<User> {
    return this.json({ method: 'GET', path: `/users/${encodeURIComponent(id)}` }, UserSchema);
  }

  getRequisition(id: string): Promise<Requisition> {
    return this.json({ method: 'GET', path: `/requisitions/${encodeURIComponent(id)}` }, RequisitionSchema);
  }

  /**
   * Anonymous EEO self-reports (`data: [...]`; Lever's default window is the last week). They carry no opportunity,
   * contact or posting, so they cannot be split by posting or team. Never send these to an LLM.
   */
  listEeoResponses(f: { fromDate?: number; toDate?: number } = {}): AsyncGenerator<EeoResponse> {
    return this.paginate(
      '/eeo/responses',
      { fromDate: f.fromDate, toDate: f.toDate },
      EeoResponseSchema,
      'eeoResponses', // older envelope seen in the docs; live responses are a plain list
    );
  }

  /**
   * EEO self-reports with their opportunity, contact and posting (`GET /eeo/responses/pii`). Needs the key's "EEO
   * responses (PII)" permission (OAuth scope `eeo_responses_pii:read:admin`); without it Lever answers 403. Never
   * send these to an LLM, and drop the identifiers as soon as the join they are needed for is done.
   */
  listEeoResponsesWithPii(
    f: {
      createdAtStart?: number;
      createdAtEnd?: number;
      expand?: readonly ('contact' | 'hiringManager' | 'posting')[];
    } = {},
  ): AsyncGenerator<EeoPiiResponse> {
    return this.paginate(
      '/eeo/responses/pii',
      { created_at_start: f.createdAtStart, created_at_end: f.createdAtEnd, expand: f.expand },
      EeoPiiResponseSchema,
      'eeoResponses',
    );
  }

  // ---------------------------------------------------------------- writes

  /** Adds a note. Not retried on an unknown outcome: a retry could post it twice. */
  createNote(oppId: string, note: NoteInput, o: WriteOptions = {}): Promise<{ noteId: string }> {
    return this.json(
      { method: 'POST', path: this.opp(oppId, '/notes'), query: { perform_as: o.performAs }, json: note },
      CreatedNoteSchema,
    );
  }

  /** Replaces an API-created note (Lever refuses notes made in its UI). */
  async updateNote(oppId: string, noteId: string, note: NoteInput, o: WriteOptions = {}): Promise<void> {
    await this.none({
      method: 'PUT',
      path: this.opp(oppId, `/notes/${encodeURIComponent(noteId)}`),
      query: { perform_as: o.performAs },
      json: { values: [{ value: note.value, score: note.score }], secret: note.secret, score: note.score },
    });
  }

  // Tag and link changes are set operations: repeating one has no further effect, so they may retry.
  private setOp(oppId: string, op: string, field: string, values: readonly string[], o: WriteOptions) {
    return this.json(
      {
        method: 'POST',
        path: this.opp(oppId, `/${op}`),
        query: { perform_as: o.performAs },
        json: { [field]: values },
        idempotent: true,
      },
      OpportunitySchema,
    );
  }

  addTags(oppId: string, tags: readonly string[], o: WriteOptions = {}): Promise<Opportunity> {
    return this.setOp(oppId, 'addTags', 'tags', tags, o);
  }

  removeTags(oppId: string, tags: readonly string[], o: WriteOptions = {}): Promise<Opportunity> {
    return this.setOp(oppId, 'removeTags', 'tags', tags, o);
  }

  changeStage(oppId: string, stageId: string, o: WriteOptions = {}): Promise<Opportunity> {
    return this.json(
      { method: 'PUT', path: this.opp(oppId, '/stage'), query: { perform_as: o.performAs }, json: { stage: stageId } },
      OpportunitySchema,
    );
  }

  uploadFile(
    oppId: string,
    file: { name: string; content: Buffer | string; contentType: string },
    o: WriteOptions & { performAs: string },
  ): Promise<LeverFile> {
    const form = new FormData();
    const bytes = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
    form.append('file', new Blob([new Uint8Array(bytes)], { type: file.contentType }), file.name);
    return this.json(
      { method: 'POST', path: this.opp(oppId, '/files'), query: { perform_as: o.performAs }, form },
      LeverFileSchema,
    );
  }

  createPanel(oppId: string, panel: PanelInput, o: WriteOptions & { performAs: string }): Promise<Panel> {
    return this.json(
      {
        method: 'POST',
        path: this.opp(oppId, '/panels'),
        query: { perform_as: o.performAs },
        json: { externallyManaged: true, ...panel },
      },
      PanelSchema,
    );
  }

  /** Replaces an API-created (externally managed) panel with its interviews: a full replace, so a retry repeats it. */
  updatePanel(
    oppId: string,
    panelId: string,
    panel: PanelInput,
    o: WriteOptions & { performAs: string },
  ): Promise<Panel> {
    return this.json(
      {
        method: 'PUT',
        path: this.opp(oppId, `/panels/${encodeURIComponent(panelId)}`),
        query: { perform_as: o.performAs },
        json: { externallyManaged: true, ...panel },
        idempotent: true,
      },
      PanelSchema,
    );
  }

  /** Deletes an API-created panel and its interviews (204). */
  async deletePanel(oppId: string, panelId: string, o: WriteOptions & { performAs: string }): Promise<void> {
    await this.none({
      method: 'DELETE',
      path: this.opp(oppId, `/panels/${encodeURIComponent(panelId)}`),
      query: { perform_as: o.performAs },
      idempotent: true,
    });
  }

  /** Partial update: the only documented one in Lever (`POST /postings/:id`). */
  updatePosting(id: string, patch: Record<string, unknown>, o: WriteOptions & { performAs: string }): Promise<Posting> {
    return this.json(
      {
        method: 'POST',
        path: `/postings/${encodeURIComponent(id)}`,
        query: { perform_as: o.performAs },
        json: patch,
        idempotent: true,
      },
      PostingSchema,
    );
  }

  // ---------------------------------------------------------------- webhooks

  async listWebhooks(): Promise<Webhook[]> {
    return collect(this.paginate('/webhooks', {}, WebhookSchema));
  }

  /** Registers a webhook. Store `configuration.signatureToken`: Lever only returns it here. */
  createWebhook(input: CreateWebhookInput): Promise<Webhook> {
    const configuration = input.origins ? { conditions: { origins: input.origins } } : undefined;
    return this.json(
      { method: 'POST', path: '/webhooks', json: { url: input.url, event: input.event, configuration } },
      WebhookSchema,
    );
  }
}

export function createLeverClient(opts: LeverClientOptions): LeverClient {
  return new LeverClient(opts);
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
