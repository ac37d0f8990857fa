import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { createMessagingApi } from '@/utils/panel/api-client';
import type { FulcrumApi } from '@/utils/shared/messaging';

const ApiContext = createContext<FulcrumApi | null>(null);

/** Tests pass a fake `api`; the extension pages use the runtime-messaging client. */
export function ApiProvider({ api, children }: { api?: FulcrumApi; children: ReactNode }) {
  const value = useMemo(() => api ?? createMessagingApi(), [api]);
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

let fallback: FulcrumApi | undefined;

export function useApi(): FulcrumApi {
  const api = useContext(ApiContext);
  if (api) return api;
  fallback ??= createMessagingApi();
  return fallback;
}
