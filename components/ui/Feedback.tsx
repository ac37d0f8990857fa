import type { ReactNode } from 'react';
import { browser } from 'wxt/browser';
import { describeFailure } from '@/utils/shared/describe-failure';
import type { ApiFailure } from '@/utils/shared/messaging';

export function openSettings(): void {
  void browser.runtime.openOptionsPage?.()?.catch(() => {});
}

/** A failure, with what to do about it, and the buttons to do it. */
export function ErrorNotice({ failure, onRetry }: { failure: ApiFailure; onRetry?: () => void }) {
  const advice = describeFailure(failure);
  return (
    <div className="error" role="alert">
      <p>
        <strong>{advice.title}</strong>
      </p>
      <p>{advice.action}</p>
      {advice.detail && advice.detail !== advice.title && <p className="muted">Details: {advice.detail}</p>}
      <div className="row">
        {onRetry && (
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        )}
        {advice.settings && (
          <button type="button" onClick={openSettings}>
            Open Settings
          </button>
        )}
      </div>
    </div>
  );
}

/** Placeholder lines while something loads; announced to screen readers by its label. */
export function Skeleton({ label, lines = 3 }: { label: string; lines?: number }) {
  return (
    <div role="status" aria-busy="true" aria-label={label}>
      <span className="sr-only">{label}</span>
      {Array.from({ length: lines }, (_, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static placeholder lines
        <div key={index} className="skeleton" style={{ width: `${90 - index * 17}%` }} />
      ))}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="card">
      <p>
        <strong>{title}</strong>
      </p>
      {children}
    </div>
  );
}
