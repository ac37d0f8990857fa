import { bootPanel } from '@/utils/panel/boot';
import '@/components/ui/theme.css';

// The side panel's first script: small, no React (see panel/boot.ts). The app is its own chunk, loaded after.
const root = document.getElementById('root');
if (root) void bootPanel(root, () => import('./mount').then((app) => app.mountPanel));
