import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { markPanel } from '@/utils/panel-marks';
import { primePanel } from '@/utils/prime-panel';
import { App } from './App';
import '@/components/ui/theme.css';

// Glue only. Every module the first screen needs is loaded and evaluated by now (mark read by the e2e test).
markPanel('main');
// Which candidate to show and its cached match are read while React renders its first frame.
void primePanel();
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
