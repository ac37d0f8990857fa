import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProvider } from '@/components/api-context';
import { OptionsPage } from '@/components/OptionsPage';
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
