import { randomBytes, randomUUID } from 'node:crypto';
import type {
  CandidateRecords,
  EmuApplication,
  EmuFile,
  EmuOpportunity,
  EmuPosting,
  EmuResume,
  EmuUser,
  EmuWebhook,
  SeedData,
} from './model.ts';
import { generateSeed } from './seed.ts';

/**
 * The emulator's state, in memory. Seeded opportunities stay resident; the records hanging off each one (resume,
 * notes, feedback, ...) are rebuilt from the seed when read and kept for good only once something changes them,
 * which keeps 100,000 opportunities cheap. `epoch` changes on reset so old pagination cursors stop working.
 */
export type Records = CandidateRecords & { files: EmuFile[]; resumeTexts: Map<string, string> };

export type DeletedRecord = { id: string; deletedAt: number; deletedBy: string | null };

const CACHE_LIMIT = 5000;

export class EmulatorStore {
  seed!: SeedData;
  epoch = 0;
  opportunities: EmuOpportunity[] = [];
  deleted: DeletedRecord[] = [];
  webhooks = new Map<string, EmuWebhook>();
  postings = new Map<string, EmuPosting>();
  users = new Map<string, EmuUser>();
  private index = new Map<string, number>();
  private byContact = new Map<string, string[]>();
  private materialized = new Map<string, Records>();
  private cache = new Map<string, Records>();

  constructor(private readonly seedOptions: { seed?: number; opportunities?: number }) {
    this.reset();
  }

  reset(over: { seed?: number; opportunities?: number } = {}): void {
    this.seed = generateSeed({ ...this.seedOptions, ...over });
    this.epoch++;
    this.opportunities = this.seed.opportunities.slice();
    this.index = new Map(this.opportunities.map((o, i) => [o.id, i]));
    this.byContact = new Map();
    for (const o of this.opportunities) this.linkContact(o);
    this.postings = new Map(this.seed.postings.map((p) => [p.id, p]));
    this.users = new Map(this.seed.users.map((u) => [u.id, u]));
    this.deleted = [];
    this.webhooks = new Map();
    this.materialized = new Map();
    this.cache = new Map();
  }

  private linkContact(o: EmuOpportunity): void {
    const list = this.byContact.get(o.contact);
    if (list) list.push(o.id);
    else this.byContact.set(o.contact, [o.id]);
  }

  /** A live (not deleted) opportunity. */
  opportunity(id: string): EmuOpportunity | undefined {
    const i = this.index.get(id);
    const o = i === undefined ? undefined : this.opportunities[i];
    return o && o.deletedAt === undefined ? o : undefined;
  }

  positionOf(id: string): number | undefined {
    return this.index.get(id);
  }

  opportunitiesOfContact(contactId: string): EmuOpportunity[] {
    return (this.byContact.get(contactId) ?? []).flatMap((id) => this.opportunity(id) ?? []);
  }

  /** Read-only view of an opportunity's records. */
  records(o: EmuOpportunity): Records {
    const fixed = this.materialized.get(o.id);
    if (fixed) return fixed;
    const cached = this.cache.get(o.id);
    if (cached) return cached;
    const built = this.build(o);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(o.id, built);
    return built;
  }

  /** Records that will be changed: pinned in memory so the change survives. */
  mutableRecords(o: EmuOpportunity): Records {
    const r = this.records(o);
    this.materialized.set(o.id, r);
    this.cache.delete(o.id);
    return r;
  }

  private build(o: EmuOpportunity): Records {
    if (o.seedIndex < 0) throw new Error(`records of ${o.id} were never materialized`);
    const c = this.seed.candidate(o.seedIndex);
    // The duplicate-person rule can give a rebuilt candidate the previous person's contact; the list is authoritative.
    return { ...c, opportunity: o, files: [], resumeTexts: new Map() };
  }

  application(o: EmuOpportunity): EmuApplication {
    return this.records(o).application;
  }

  /** Adds an opportunity made while the emulator runs (a new application); returns its records. */
  addOpportunity(o: EmuOpportunity, application: EmuApplication, resume: EmuResume, resumeText: string): Records {
    this.index.set(o.id, this.opportunities.length);
    this.opportunities.push(o);
    this.linkContact(o);
    const r: Records = {
      opportunity: o,
      application,
      resume,
      notes: [],
      feedback: [],
      interviews: [],
      panels: [],
      offers: [],
      eeo: [],
      files: [],
      resumeTexts: new Map([[resume.id, resumeText]]),
    };
    this.materialized.set(o.id, r);
    return r;
  }

  remove(o: EmuOpportunity, by: string | null): void {
    o.deletedAt = Date.now();
    o.deletedBy = by ?? undefined;
    this.deleted.push({ id: o.id, deletedAt: o.deletedAt, deletedBy: by });
  }

  findContactByEmail(email: string): EmuOpportunity | undefined {
    const e = email.trim().toLowerCase();
    for (let i = this.opportunities.length - 1; i >= 0; i--) {
      const o = this.opportunities[i];
      if (o && o.deletedAt === undefined && o.emails.some((x) => x.toLowerCase() === e)) return o;
    }
    return undefined;
  }
}

export function newId(): string {
  return randomUUID();
}

/** Lever's webhook tokens are random 48-character strings. */
export function newToken(): string {
  return randomBytes(24).toString('hex');
}
