import { ApiProvider } from '@/components/api-context';
import { SidePanel } from '@/components/SidePanel';

export function App() {
  return (
    <ApiProvider>
      <SidePanel />
    </ApiProvider>
  );
}
