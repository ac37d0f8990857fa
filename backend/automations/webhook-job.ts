import { z } from 'zod';
import { defineJob } from '../jobs/queue.ts';

/**
 * A Lever event as webhooks/intake.ts enqueues it (`{eventId, event, data}`, the job type being the event name), as
 * the automations need it: about one opportunity. An event without one (Lever's test button sends `data: {}`) is
 * dead-lettered by the queue with the schema's error.
 */
export const WebhookJobSchema = z.object({
  eventId: z.string().min(1),
  event: z.string().min(1),
  data: z.looseObject({ opportunityId: z.string().min(1).max(200) }),
});
export type WebhookJob = z.infer<typeof WebhookJobSchema>;

/** The job type of one webhook event, as the automations handle it. */
export const webhookJob = (event: string) => defineJob(event, WebhookJobSchema);
