export function OptionsPage() {
  return (
    <main className="panel">
      <h1>Fulcrum settings</h1>
      <p>Backend URL and recruiter token settings arrive with the side panel.</p>
    </main>
  );
}
