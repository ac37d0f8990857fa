import type { EmuOpportunity, EmuResume, YearMonth } from './model.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const when = (d: YearMonth | null) => (d ? `${MONTHS[d.month - 1] ?? ''} ${d.year}` : 'Present');

/**
 * The downloadable plain-text resume of a seeded candidate: contact line, summary, experience bullets, skills,
 * education. Planted injection text sits where a human skimming would not see it (after a run of blank lines),
 * as it would in white-on-white text pasted into a real resume.
 */
export function renderResumeText(o: EmuOpportunity, r: EmuResume): string {
  const lines: string[] = [];
  lines.push(o.name.toUpperCase());
  lines.push([o.emails[0], o.phones[0]?.value, o.location, o.links[0]].filter(Boolean).join(' | '));
  lines.push('', 'SUMMARY', r.profile.summary, '', 'EXPERIENCE');
  for (const p of r.parsedData.positions) {
    lines.push(`${p.title}, ${p.org} (${p.location}) — ${when(p.start)} to ${when(p.end)}`);
    for (const b of p.summary.split('. ')) lines.push(`  • ${b.replace(/\.$/, '')}`);
  }
  lines.push('', 'SKILLS', r.profile.skills.join(', '), '', 'EDUCATION');
  for (const s of r.parsedData.schools) lines.push(`${s.degree} ${s.field}, ${s.org}, ${s.end.year}`);
  if (r.profile.hiddenText) lines.push('', '', '', '', '', r.profile.hiddenText);
  return `${lines.join('\n')}\n`;
}
