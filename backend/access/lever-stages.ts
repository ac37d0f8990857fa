import type { ProposalPayload } from '../../utils/contracts/api.ts';
import { badRequest } from '../http/errors.ts';
import type { LeverClient } from '../lever/index.ts';

/**
 * Lever's pipeline stages (`GET /stages`), cached briefly, so a stage move can only name a stage Lever has. A stage id
 * not in the cached list is looked up once more in a fresh read before it is refused, so a stage added in Lever a
 * moment ago is accepted.
 */
export class LeverStages {
  private cached: { at: number; stages: Array<{ id: string; text: string }> } | null = null;
  private pending: Promise<Array<{ id: string; text: string }>> | null = null;

  constructor(
    private readonly lever: LeverClient,
    private readonly now: () => number,
    private readonly ttlMs = 60_000,
  ) {}

  private read(): Promise<Array<{ id: string; text: string }>> {
    this.pending ??= this.lever
      .listStages()
      .then((list) => {
        const stages = list.map((s) => ({ id: s.id, text: s.text }));
        this.cached = { at: this.now(), stages };
        return stages;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  async list(): Promise<Array<{ id: string; text: string }>> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.stages;
    return this.read();
  }

  /** The stage with this id, or a 400 saying it is not one of Lever's. */
  async require(stageId: string): Promise<{ id: string; text: string }> {
    const find = (list: Array<{ id: string; text: string }>) => list.find((s) => s.id === stageId);
    const stage = find(await this.list()) ?? find(await this.read());
    if (!stage) {
      throw badRequest(
        `Stage "${stageId}" is not one of the pipeline stages in Lever. Pick one of Lever's stages (GET /api/rediscovery/stages lists them).`,
      );
    }
    return stage;
  }

  /** Refuses a proposal payload whose stage move names a stage Lever does not have. */
  async checkPayload(payload: ProposalPayload): Promise<void> {
    if (payload.stageId) await this.require(payload.stageId);
  }
}
