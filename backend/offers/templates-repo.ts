import { randomUUID } from 'node:crypto';
import type { Store } from '../store/db.ts';
import './schema.ts';
import { loadDefaultTemplate, type OfferTemplate, parseTemplate } from './template.ts';

/**
 * The organisation's offer-letter templates: the default that ships (id 'default', backend/offers/templates/
 * default.md) and the ones admins add, stored in offer_templates. A template is validated when it is added, so a
 * stored one always parses; it is never edited in place (add a new one), so every letter keeps the text it came from.
 */
export const DEFAULT_TEMPLATE_ID = 'default';

export type StoredTemplate = { id: string; name: string; source: string; template: OfferTemplate; builtIn: boolean };

export class OfferTemplates {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  private builtIn(): StoredTemplate {
    const t = loadDefaultTemplate();
    return { id: DEFAULT_TEMPLATE_ID, name: t.name, source: t.body, template: t, builtIn: true };
  }

  async list(): Promise<StoredTemplate[]> {
    const rows = await this.store.db
      .selectFrom('offer_templates')
      .selectAll()
      .where('archived_at', 'is', null)
      .orderBy('created_at')
      .execute();
    return [
      this.builtIn(),
      ...rows.map((r) => ({
        id: r.id,
        name: r.name,
        source: r.source,
        template: parseTemplate(r.source, r.name),
        builtIn: false,
      })),
    ];
  }

  async get(id: string): Promise<StoredTemplate | null> {
    if (id === DEFAULT_TEMPLATE_ID) return this.builtIn();
    const r = await this.store.db.selectFrom('offer_templates').selectAll().where('id', '=', id).executeTakeFirst();
    return r
      ? { id: r.id, name: r.name, source: r.source, template: parseTemplate(r.source, r.name), builtIn: false }
      : null;
  }

  /** Validates (TemplateError on a bad template) and stores a new template. */
  async add(input: { name?: string; source: string }, actor: string): Promise<StoredTemplate> {
    const template = parseTemplate(input.source, input.name ?? 'Untitled template');
    const name = input.name?.trim() || template.name;
    const id = randomUUID();
    await this.store.db
      .insertInto('offer_templates')
      .values({ id, name, source: input.source, created_by: actor, created_at: this.now(), archived_at: null })
      .execute();
    return { id, name, source: input.source, template: { ...template, name }, builtIn: false };
  }

  async archive(id: string): Promise<boolean> {
    const r = await this.store.db
      .updateTable('offer_templates')
      .set({ archived_at: this.now() })
      .where('id', '=', id)
      .where('archived_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
