import path from 'node:path';
import pino from 'pino';
import { type AppDeps, createServices } from '../../../backend/app.ts';
import type { AutomationDeps } from '../../../backend/automations/context.ts';
import { testConfig } from './test-config.ts';

/** The automation handlers' dependencies exactly as the backend's composition root (createServices) builds them. */
export function automationsFor(o: Pick<AppDeps, 'store' | 'lever' | 'ai' | 'queue' | 'hris'>): AutomationDeps {
  const logger = pino({ level: 'silent' });
  return createServices({ config: testConfig(path.dirname(o.store.file)), logger, ...o }).automations;
}
