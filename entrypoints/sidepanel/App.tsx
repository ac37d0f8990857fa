import { SidePanel } from '@/components/SidePanel';

export function App() {
  return <SidePanel />;
}
