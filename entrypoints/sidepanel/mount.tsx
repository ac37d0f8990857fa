import { type ReactNode, StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { markPanel } from '@/utils/panel/marks';
import { takeCachedReads } from '@/utils/panel/prime';
import { keepSnapshots } from '@/utils/panel/snapshot';
import { seedCachedReads } from '@/utils/panel/store';
import { App } from './App';

/**
 * The side panel app, loaded by main.tsx after its first reads (panel/boot.ts): takes those reads over, keeps
 * snapshots of what it shows, and renders `app` (tests pass the panel with a fake api).
 */
export function mountPanel(root: HTMLElement, app: ReactNode = <App />): Root {
  markPanel('app');
  seedCachedReads(takeCachedReads());
  keepSnapshots(root);
  const react = createRoot(root);
  react.render(<StrictMode>{app}</StrictMode>);
  return react;
}
