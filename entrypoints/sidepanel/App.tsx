import { SidePanel } from '@/components/panel/SidePanel';
import { ApiProvider } from '@/components/ui/api-context';

export function App() {
  return (
    <ApiProvider>
      <SidePanel />
    </ApiProvider>
  );
}
