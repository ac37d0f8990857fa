import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toPostingInput } from '../../backend/candidates/load-candidate.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import { indexCounts, loadPersonByContact } from '../../backend/rediscovery/index-store.ts';
import { handleRediscoveryWebhook } from '../../backend/rediscovery/jobs.ts';
import { rediscover } from '../../backend/rediscovery/rediscover.ts';
import { getSyncProgress, runSync } from '../../backend/rediscovery/sync.ts';
import type { Store } from '../../backend/store/db.ts';
import { openTempStore } from './helpers/temp-store.ts';
import { admin, clientFor, testEmulator } from './lever-helpers.ts';

const OPPS = 160; // seed indexes 7 and 157 are the same person applying twice

let emu: EmulatorHandle;
let t: { store: Store; cleanup(): Promise<void> };
beforeEach(async () => {
  emu = await testEmulator({ opportunities: OPPS });
  t = await openTempStore();
});
afterEach(async () => {
  await emu.close();
  await t.cleanup();
});

const pending = () =>
  (t.store.sqlite.prepare('SELECT count(*) AS n FROM rd_opportunity WHERE needs_details = 1').get() as { n: number }).n;

describe('talent-pool sync', () => {
  it('indexes every opportunity, archived and active, as one row per person', async () => {
    const lever = clientFor(emu);
    const progress = await runSync({ store: t.store, lever });
    const seed = emu.context.store.seed;
    const visible = seed.opportunities.filter((o) => o.confidentiality === 'non-confidential');
    const contacts = new Set(visible.map((o) => o.contact));
    expect(progress).toMatchObject({
      status: 'idle',
      phase: 'done',
      mode: 'full',
      listed: visible.length,
      opportunities: visible.length,
    });
    expect(progress.people).toBe(contacts.size);
    expect(progress.people).toBeLessThan(visible.length);
    expect(visible.some((o) => o.archived) && visible.some((o) => !o.archived)).toBe(true);
    expect(pending()).toBe(0);

    // The person who applied twice: one row, both opportunities, resume text downloaded.
    const twice = [...contacts].find((c) => visible.filter((o) => o.contact === c).length === 2)!;
    const person = loadPersonByContact(t.store.sqlite, twice)!;
    expect(person.summary.opportunities).toHaveLength(2);
    expect(person.doc).toContain('EXPERIENCE');
    expect(progress.highWaterMark).not.toBeNull();
  });

  it('resumes an interrupted sync from its checkpoint instead of starting over', async () => {
    const first = clientFor(emu);
    const ac = new AbortController();
    await expect(
      runSync({
        store: t.store,
        lever: first,
        concurrency: 2,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.phase === 'details' && p.detailsDone >= 40) ac.abort(new Error('simulated crash'));
        },
      }),
    ).rejects.toThrow('simulated crash');
    const mid = await getSyncProgress(t.store);
    expect(mid.status).toBe('running');
    expect(mid.detailsDone).toBeGreaterThanOrEqual(40);
    const left = pending();
    expect(left).toBeGreaterThan(0);

    const second = clientFor(emu);
    const done = await runSync({ store: t.store, lever: second });
    expect(done).toMatchObject({ status: 'idle', phase: 'done', runId: mid.runId });
    expect(pending()).toBe(0);
    // Only the unfinished opportunities were read again: 4 reads each plus reference data, no listing.
    expect(second.stats.requests).toBeLessThanOrEqual(left * 4 + 10);
    expect(done.requests).toBe(first.stats.requests + second.stats.requests);
  });

  it('picks up a new application incrementally and forgets a deleted candidate', async () => {
    await runSync({ store: t.store, lever: clientFor(emu) });
    const before = indexCounts(t.store.sqlite);
    const posting = [...emu.context.store.postings.values()][0]!;
    const created = (await admin(emu, 'POST', '/applications', {
      postingId: posting.id,
      name: 'Quinn Zephyrine',
      email: 'quinn.zephyrine@mail.example',
      resumeText: 'QUINN ZEPHYRINE\nStaff engineer: Zanzibarite compilers, Rust, Kubernetes operators for 9 years.\n',
    })) as { opportunityId: string; contactId: string };

    const lever = clientFor(emu);
    const inc = await runSync({ store: t.store, lever });
    expect(inc.mode).toBe('incremental');
    expect(indexCounts(t.store.sqlite).opportunities).toBe(before.opportunities + 1);
    // Incremental: a handful of requests, not a re-read of the pool.
    expect(lever.stats.requests).toBeLessThan(20);
    const zanzibarite = {
      ...toPostingInput(posting),
      id: 'another-posting',
      title: 'Compiler engineer',
      text: '',
      requirements: ['Zanzibarite compilers'],
      niceToHave: [],
    };
    const hits = rediscover(t.store, zanzibarite, { excludeContactedWithinDays: 0 });
    expect(hits.results.map((r) => r.contactId)).toContain(created.contactId);
    // Just applied: inside the default 90-day "contacted recently" window.
    expect(rediscover(t.store, zanzibarite).results.map((r) => r.contactId)).not.toContain(created.contactId);

    await admin(emu, 'DELETE', `/opportunities/${created.opportunityId}`);
    expect(
      await handleRediscoveryWebhook(
        { store: t.store, lever },
        { event: 'candidateDeleted', data: { opportunityId: created.opportunityId } },
      ),
    ).toBe('removed');
    expect(loadPersonByContact(t.store.sqlite, created.contactId)).toBeNull();
    expect(indexCounts(t.store.sqlite)).toEqual(before);
  });

  it('keeps the person when one of their two opportunities is deleted', async () => {
    await runSync({ store: t.store, lever: clientFor(emu) });
    const seed = emu.context.store.seed.opportunities;
    const dup = seed.find((o, i) => seed.findIndex((x) => x.contact === o.contact) !== i)!;
    // The webhook is only a trigger: the index drops the opportunity once Lever answers 404 for it.
    emu.context.store.remove(emu.context.store.opportunity(dup.id)!, null);
    await handleRediscoveryWebhook(
      { store: t.store, lever: clientFor(emu) },
      { event: 'candidateDeleted', data: { opportunityId: dup.id } },
    );
    const person = loadPersonByContact(t.store.sqlite, dup.contact)!;
    expect(person.summary.opportunities.map((o) => o.id)).not.toContain(dup.id);
    expect(person.summary.opportunities).toHaveLength(1);
  });

  it('a candidateDeleted for an opportunity Lever still has removes nothing', async () => {
    await runSync({ store: t.store, lever: clientFor(emu) });
    const live = emu.context.store.opportunities.find((o) => !o.deletedAt && o.confidentiality === 'non-confidential')!;
    await handleRediscoveryWebhook(
      { store: t.store, lever: clientFor(emu) },
      { event: 'candidateDeleted', data: { opportunityId: live.id } },
    );
    const person = loadPersonByContact(t.store.sqlite, live.contact)!;
    expect(person.summary.opportunities.map((o) => o.id)).toContain(live.id);
  });

  it('marks a person hired after a candidateArchiveChange webhook, so rediscovery leaves them out', async () => {
    const lever = clientFor(emu);
    await runSync({ store: t.store, lever });
    const target = emu.context.store.opportunities.find(
      (o) => !o.archived && o.confidentiality === 'non-confidential',
    )!;
    const hired = emu.context.store.seed.archiveReasons.find((r) => r.type === 'hired')!;
    await lever.setArchived(target.id, { reason: hired.id });
    await handleRediscoveryWebhook(
      { store: t.store, lever },
      { event: 'candidateArchiveChange', data: { opportunityId: target.id } },
    );
    expect(loadPersonByContact(t.store.sqlite, target.contact)?.summary.hired).toBe(true);
  });

  it('reports its requests and 429s, and stays under the rate limit without a 429 storm', async () => {
    const slow = await testEmulator({ opportunities: 30, ratePerSecond: 40, burst: 10 });
    try {
      const { createLeverClient, TokenBucket } = await import('../../backend/lever/index.ts');
      const lever = createLeverClient({
        baseUrl: slow.apiBaseUrl,
        auth: { kind: 'apiKey', apiKey: slow.apiKey },
        bucket: new TokenBucket(38, 10),
        retryBaseMs: 10,
      });
      const p = await runSync({ store: t.store, lever });
      expect(p.requests).toBe(lever.stats.requests);
      expect(p.rateLimited).toBe(slow.context.stats.rateLimited);
      expect(p.rateLimited).toBeLessThanOrEqual(Math.ceil(p.requests * 0.02));
    } finally {
      await slow.close();
    }
  });
});
