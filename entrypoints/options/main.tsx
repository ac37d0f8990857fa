import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { OptionsPage } from '@/components/options/OptionsPage';
import { ApiProvider } from '@/components/ui/api-context';
import '@/components/ui/theme.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ApiProvider>
        <OptionsPage />
      </ApiProvider>
    </StrictMode>,
  );
}
