import { browser } from 'wxt/browser';
import {
  ApiFailureError,
  type ApiMessage,
  type ApiOp,
  type ApiResult,
  type Capability,
  type FulcrumApi,
  isRetrySafe,
  type RequestOf,
} from '@/utils/shared/messaging';
import { readCachedResult } from './cache-reader';
import { clearSnapshots } from './snapshot';

/**
 * The real client: one runtime message per call, answered by the background's request handler. Cached results are
 * the exception: they are read straight from IndexedDB (`readCache`), so the panel shows them without a round trip to
 * a worker that may be asleep. A pure read (`RETRY_OPS`) whose answer got lost (no answer, or the channel closed
 * before the answer: a worker being stopped or restarted by Chrome drops it) is asked once more; any other op is
 * never sent twice.
 */
export function createMessagingApi(
  send: (message: ApiMessage) => Promise<unknown> = (m) => browser.runtime.sendMessage(m),
  readCache: (opportunityId: string, capability: Capability) => Promise<unknown> = readCachedResult,
): FulcrumApi {
  const call = async (op: ApiOp, request: object): Promise<unknown> => {
    if (op === 'cached') {
      const { opportunityId, capability } = request as Omit<RequestOf<'cached'>, 'op'>;
      return readCache(opportunityId, capability).catch(() => null);
    }
    const message = { type: 'fulcrum:api', request: { ...request, op } } as ApiMessage;
    const sendOnce = () => send(message) as Promise<ApiResult<unknown> | undefined>;
    const retry = isRetrySafe(op);
    let result: ApiResult<unknown> | undefined;
    try {
      result = retry ? await sendOnce().catch(() => undefined) : await sendOnce();
      if (result === undefined && retry) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        result = await sendOnce();
      }
    } catch (error) {
      throw new ApiFailureError({
        kind: 'extension',
        message: `The extension's background worker did not answer (${error instanceof Error ? error.message : String(error)}). Reload the panel.`,
      });
    }
    if (!result || typeof result !== 'object' || !('ok' in result)) {
      throw new ApiFailureError({
        kind: 'extension',
        message: 'The background worker gave no answer. Reload the panel.',
      });
    }
    if (!result.ok) {
      // The token no longer works: this page's snapshots of candidates go too (the worker dropped its cache).
      if (result.error.status === 401) clearSnapshots();
      throw new ApiFailureError(result.error);
    }
    return result.data;
  };
  // Every op is a method: the op list is the handlers' table, which this bundle does not load, so the methods are
  // made on first use. Only string keys are ops (`then` is not: the client is no promise).
  const methods = new Map<string, (request: object) => Promise<unknown>>();
  return new Proxy({} as FulcrumApi, {
    get(_, key) {
      if (typeof key !== 'string' || key === 'then') return undefined;
      let method = methods.get(key);
      if (!method) {
        method = (request) => call(key as ApiOp, request);
        methods.set(key, method);
      }
      return method;
    },
  });
}
