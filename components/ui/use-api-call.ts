import { useState } from 'react';
import { type ApiFailure, failureOf } from '@/utils/shared/messaging';

/**
 * One API request a panel runs (on mount, from a button, on retry): the last result, the last failure and whether a
 * request is in flight. A new run clears the failure first; a failure keeps the last result.
 */
export function useApiCall<T>(request: () => Promise<T>) {
  const [data, setData] = useState<T>();
  const [failure, setFailure] = useState<ApiFailure>();
  const [loading, setLoading] = useState(false);
  const run = async () => {
    setLoading(true);
    setFailure(undefined);
    try {
      setData(await request());
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setLoading(false);
    }
  };
  return { data, failure, loading, run };
}
