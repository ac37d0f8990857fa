import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  signLeverWebhook,
  verifyLeverWebhook,
  type WebhookDelivery,
  WebhookDeliverySchema,
} from '../../backend/lever/index.ts';
import type { EmulatorHandle } from '../../backend/lever-emulator/server.ts';
import type { DeliveryAttempt } from '../../backend/lever-emulator/webhooks.ts';
import { admin, clientFor, first, testEmulator, waitFor } from './lever-helpers.ts';

describe('webhook signature', () => {
  // A delivery as documented (docs/lever-api.md §7): signature = hex HMAC-SHA256(signatureToken, token + triggeredAt).
  const signatureToken = 'whsec-3f8a2c9d1e7b4a6f';
  const body = { token: 'a'.repeat(48), triggeredAt: 1_750_233_426_190 };
  const signature = signLeverWebhook(body.token, body.triggeredAt, signatureToken);

  it('signs with hex HMAC-SHA256 over token + triggeredAt', () => {
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    // Independent computation of the same thing, with the concatenation spelled out.
    expect(signature).toBe(
      createHmac('sha256', signatureToken)
        .update(`${'a'.repeat(48)}1750233426190`)
        .digest('hex'),
    );
  });

  it('accepts a valid signature', () => {
    expect(verifyLeverWebhook({ ...body, signature }, signatureToken)).toBe(true);
    expect(verifyLeverWebhook({ ...body, triggeredAt: String(body.triggeredAt), signature }, signatureToken)).toBe(
      true,
    );
  });

  it('rejects the wrong signature token', () => {
    expect(verifyLeverWebhook({ ...body, signature }, 'whsec-someone-else')).toBe(false);
  });

  it('rejects a tampered triggeredAt or token', () => {
    expect(verifyLeverWebhook({ ...body, triggeredAt: body.triggeredAt + 1, signature }, signatureToken)).toBe(false);
    expect(verifyLeverWebhook({ ...body, token: 'b'.repeat(48), signature }, signatureToken)).toBe(false);
  });

  it('rejects missing or malformed signatures without throwing', () => {
    expect(verifyLeverWebhook({ ...body }, signatureToken)).toBe(false);
    expect(verifyLeverWebhook({ ...body, signature: 'xyz' }, signatureToken)).toBe(false);
    expect(verifyLeverWebhook({ ...body, signature: signature.slice(0, 62) }, signatureToken)).toBe(false);
  });
});

/** A receiver that answers each delivery with the next status from `plan` (then 200). */
async function receiver(plan: number[]) {
  const received: WebhookDelivery[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      received.push(WebhookDeliverySchema.parse(JSON.parse(raw)));
      const status = plan.shift() ?? 200;
      res.writeHead(status, status >= 300 && status < 400 ? { location: 'http://127.0.0.1:1/' } : {});
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('emulator webhooks', () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await testEmulator({ opportunities: 60 });
  });
  afterAll(async () => {
    await emu.close();
  });

  const deliveries = async () => (await admin(emu, 'GET', '/webhook-deliveries')) as DeliveryAttempt[];

  it('delivers a signed candidateStageChange and retries non-2xx answers with the same body', async () => {
    const rx = await receiver([500, 302]);
    try {
      const lever = clientFor(emu);
      const hook = await lever.createWebhook({ url: rx.url, event: 'candidateStageChange' });
      const token = hook.configuration?.signatureToken ?? '';
      expect(token).toMatch(/^[0-9a-f]{48}$/);
      expect((await lever.listWebhooks()).map((w) => w.id)).toContain(hook.id);

      const opp = await first(lever.listOpportunities({ limit: 1, archived: false }));
      const target = (await lever.listStages()).find((s) => s.id !== opp?.stage);
      await lever.changeStage(opp?.id ?? '', target?.id ?? '');

      await waitFor(() => (rx.received.length >= 3 ? true : undefined));
      const [a, b, c] = rx.received;
      expect(a?.event).toBe('candidateStageChange');
      expect(a?.data.opportunityId).toBe(opp?.id);
      expect(a?.data.toStageId).toBe(target?.id);
      expect(a?.data.fromStageId).toBe(opp?.stage);
      for (const d of rx.received) expect(verifyLeverWebhook(d, token)).toBe(true);
      expect(verifyLeverWebhook(a as WebhookDelivery, 'wrong-token')).toBe(false);
      // Retries resend the same event (same id and token) so receivers can dedupe.
      expect(new Set([a?.id, b?.id, c?.id]).size).toBe(1);

      const log = (await deliveries()).filter((d) => d.webhookId === hook.id);
      expect(log.map((d) => [d.attempt, d.status])).toEqual([
        [0, 500],
        [1, 302],
        [2, 200],
      ]);
      await lever.deleteWebhook(hook.id);
    } finally {
      await rx.close();
    }
  });

  it('stops after five retries when the receiver keeps failing', async () => {
    const rx = await receiver([503, 503, 503, 503, 503, 503, 503, 503]);
    try {
      const lever = clientFor(emu);
      const hook = await lever.createWebhook({ url: rx.url, event: 'candidateArchiveChange' });
      const opp = await first(lever.listOpportunities({ limit: 1, archived: false }));
      const [reason] = await lever.listArchiveReasons({ type: 'non-hired' });
      await lever.setArchived(opp?.id ?? '', { reason: reason?.id ?? '' });
      await waitFor(() => (rx.received.length >= 6 ? true : undefined));
      await new Promise((r) => setTimeout(r, 400)); // longer than the last configured gap: no seventh attempt
      expect(rx.received).toHaveLength(6);
      expect(rx.received[0]?.data.toArchived?.reason).toBe(reason?.id);
      expect(rx.received[0]?.data.fromArchived).toBeNull();
      const log = (await deliveries()).filter((d) => d.webhookId === hook.id);
      expect(log.map((d) => d.attempt)).toEqual([0, 1, 2, 3, 4, 5]);
      // Gaps grow between attempts.
      const gaps = log.slice(1).map((d, i) => d.at - (log[i]?.at ?? 0));
      expect(gaps[4]).toBeGreaterThan(gaps[0] ?? 0);
      await lever.deleteWebhook(hook.id);
    } finally {
      await rx.close();
    }
  });

  it('fires applicationCreated, candidateHired and candidateDeleted for the emulator changes that cause them', async () => {
    const rx = await receiver([]);
    try {
      const lever = clientFor(emu);
      for (const event of ['applicationCreated', 'candidateHired', 'candidateDeleted'] as const) {
        await lever.createWebhook({ url: rx.url, event });
      }
      const [posting] = await collect(lever.listPostings());
      const created = (await admin(emu, 'POST', '/applications', {
        postingId: posting?.id,
        name: 'Webhook Tester',
        email: 'webhook.tester@mail.example',
        resumeText: 'Webhook Tester\nwebhook.tester@mail.example\nTypeScript, 6 years',
      })) as { opportunityId: string; applicationId: string };
      const opp = await lever.getOpportunity(created.opportunityId, { expand: ['applications'] });
      expect(opp.name).toBe('Webhook Tester');
      const [resume] = await collect(lever.listResumes(created.opportunityId));
      expect((await lever.downloadResume(created.opportunityId, resume?.id ?? '')).toString()).toContain('6 years');

      const [hired] = await lever.listArchiveReasons({ type: 'hired' });
      await lever.setArchived(created.opportunityId, { reason: hired?.id ?? '' });
      await admin(emu, 'DELETE', `/opportunities/${created.opportunityId}`);

      await waitFor(() => (rx.received.length >= 3 ? true : undefined));
      const byEvent = new Map(rx.received.map((d) => [d.event, d]));
      expect(byEvent.get('applicationCreated')?.data).toMatchObject({
        opportunityId: created.opportunityId,
        applicationId: created.applicationId,
        postingId: posting?.id,
      });
      expect(byEvent.get('candidateHired')?.data.opportunityId).toBe(created.opportunityId);
      expect(byEvent.get('candidateDeleted')?.data.opportunityId).toBe(created.opportunityId);

      const deleted = await collect(lever.listDeletedOpportunities({ deletedAtStart: Date.now() - 60_000 }));
      expect(deleted.map((d) => d.id)).toContain(created.opportunityId);
      expect((await lever.getOpportunity(created.opportunityId).catch((e: { status: number }) => e)).status).toBe(404);
    } finally {
      await rx.close();
    }
  });
});
