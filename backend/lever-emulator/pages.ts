import { type Context, Hono } from 'hono';
import type { EmulatorContext } from './context.ts';
import type { EmuOpportunity, EmuPosting } from './model.ts';

/**
 * A minimal stand-in for the Lever Hire web app, so the extension can be used on the emulator exactly as on
 * hire.lever.co: `/candidates` (list), `/candidates/<opportunityId>` (profile) and `/jobs/postings/<postingId>`.
 * Like Lever Hire (an SPA), links between profiles navigate client-side with history.pushState and swap the page
 * content; the content comes from `/_pages/candidates/<id>.json`. Pages need no API key, as a logged-in browser
 * would not.
 */

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

type ProfileView = {
  id: string;
  name: string;
  headline: string;
  stage: string;
  posting: { id: string; text: string } | null;
  archived: string | null;
  email: string;
  others: Array<{ id: string; name: string; why: string }>;
  title: string;
};

function profileView(ctx: EmulatorContext, o: EmuOpportunity): ProfileView {
  const { store } = ctx;
  const stage = store.seed.stages.find((s) => s.id === o.stage)?.text ?? o.stage;
  const posting = store.postings.get(o.postingId);
  const archived = o.archived
    ? (store.seed.archiveReasons.find((r) => r.id === o.archived?.reason)?.text ?? 'Archived')
    : null;
  const others: ProfileView['others'] = [];
  for (const same of store.opportunitiesOfContact(o.contact)) {
    if (same.id !== o.id) others.push({ id: same.id, name: same.name, why: 'Same person, other opportunity' });
  }
  const pos = store.positionOf(o.id) ?? 0;
  for (const d of [1, 2, -1]) {
    const n = store.opportunities[pos + d];
    if (n && n.deletedAt === undefined && others.length < 4)
      others.push({ id: n.id, name: n.name, why: d > 0 ? 'Next' : 'Previous' });
  }
  return {
    id: o.id,
    name: o.name,
    headline: o.headline,
    stage,
    posting: posting ? { id: posting.id, text: posting.text } : null,
    archived,
    email: o.emails[0] ?? '',
    others,
    title: `${o.name} – Lever Hire`,
  };
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;color:#222}header{background:#2b2d42;color:#fff;padding:10px 20px}
main{padding:20px;max-width:860px}a{color:#3366cc}.stage{display:inline-block;background:#e8f0fe;border-radius:4px;padding:2px 8px}
.muted{color:#666}ul.others li{margin:4px 0}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #eee;text-align:left}`;

function shell(title: string, body: string, script = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><strong>Lever Hire</strong> <span class="muted">(Fulcrum emulator)</span> · <a style="color:#fff" href="/candidates">Candidates</a></header>
<main id="app">${body}</main>${script ? `<script>${script}</script>` : ''}</body></html>`;
}

function profileHtml(v: ProfileView): string {
  const others = v.others
    .map(
      (x) =>
        `<li><a data-opportunity-id="${esc(x.id)}" href="/candidates/${esc(x.id)}">${esc(x.name)}</a> <span class="muted">${esc(x.why)}</span></li>`,
    )
    .join('');
  return `<article data-opportunity-id="${esc(v.id)}">
<h1 data-field="name">${esc(v.name)}</h1>
<p data-field="headline">${esc(v.headline)}</p>
<p>Stage: <span class="stage" data-field="stage">${esc(v.stage)}</span>${v.archived ? ` · Archived: <span data-field="archived">${esc(v.archived)}</span>` : ''}</p>
<p>Posting: ${v.posting ? `<a data-field="posting" href="/jobs/postings/${esc(v.posting.id)}">${esc(v.posting.text)}</a>` : '<span class="muted">none</span>'}</p>
<p class="muted" data-field="email">${esc(v.email)}</p>
<h2>Other candidates</h2><ul class="others">${others}</ul></article>`;
}

// Client-side navigation, as in Lever Hire: intercept profile links, fetch the profile, swap content, pushState.
const NAV_SCRIPT = `
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'})[c]);
async function show(id, push) {
  const res = await fetch('/_pages/candidates/' + encodeURIComponent(id) + '.json');
  if (!res.ok) { location.href = '/candidates/' + id; return; }
  const v = await res.json();
  if (push) history.pushState({ id }, '', '/candidates/' + id);
  document.title = v.title;
  document.getElementById('app').innerHTML = v.html;
}
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[data-opportunity-id]');
  if (!a || e.metaKey || e.ctrlKey || e.shiftKey) return;
  e.preventDefault();
  show(a.dataset.opportunityId, true);
});
window.addEventListener('popstate', () => {
  const m = location.pathname.match(/^\\/candidates\\/([^/]+)$/);
  if (m) show(m[1], false);
});`;

function postingHtml(p: EmuPosting): string {
  const lists = p.content.lists.map((l) => `<h3>${esc(l.text)}</h3><ul>${l.content}</ul>`).join('');
  const salary = p.salaryRange
    ? `<p data-field="salary">${esc(p.salaryRange.currency)} ${p.salaryRange.min.toLocaleString('en-US')}–${p.salaryRange.max.toLocaleString('en-US')}</p>`
    : '';
  return `<article data-posting-id="${esc(p.id)}"><h1>${esc(p.text)}</h1>
<p class="muted">${esc(p.categories.department)} · ${esc(p.categories.team)} · ${esc(p.categories.location)} · ${esc(p.categories.commitment)}${p.workplaceType ? ` · ${esc(p.workplaceType)}` : ''}</p>
${salary}<div>${p.content.descriptionHtml}</div>${lists}<div>${p.content.closingHtml}</div></article>`;
}

export function pagesRouter(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { store } = ctx;
  const missing = (c: Context, what: string) =>
    c.html(shell('Not found – Lever Hire', `<h1>${esc(what)} not found</h1>`), 404);

  app.get('/candidates', (c) => {
    const limit = Math.min(200, Math.max(1, Number(c.req.query('limit') ?? 50) || 50));
    const rows: string[] = [];
    for (let i = store.opportunities.length - 1; i >= 0 && rows.length < limit; i--) {
      const o = store.opportunities[i] as EmuOpportunity;
      if (o.deletedAt !== undefined) continue;
      const stage = store.seed.stages.find((s) => s.id === o.stage)?.text ?? '';
      const posting = store.postings.get(o.postingId)?.text ?? '';
      rows.push(
        `<tr><td><a data-opportunity-id="${esc(o.id)}" href="/candidates/${esc(o.id)}">${esc(o.name)}</a></td><td>${esc(stage)}</td><td>${esc(posting)}</td><td>${o.archived ? 'Archived' : 'Active'}</td></tr>`,
      );
    }
    return c.html(
      shell(
        'Candidates – Lever Hire',
        `<h1>Candidates</h1><table><tr><th>Name</th><th>Stage</th><th>Posting</th><th>Status</th></tr>${rows.join('')}</table>`,
      ),
    );
  });

  app.get('/candidates/:id', (c) => {
    const o = store.opportunity(c.req.param('id'));
    if (!o) return missing(c, 'Candidate');
    const v = profileView(ctx, o);
    return c.html(shell(v.title, profileHtml(v), NAV_SCRIPT));
  });

  app.get('/_pages/candidates/:file', (c) => {
    const id = c.req.param('file').replace(/\.json$/, '');
    const o = store.opportunity(id);
    if (!o) return c.json({ error: 'not found' }, 404);
    const v = profileView(ctx, o);
    return c.json({ ...v, html: profileHtml(v) });
  });

  app.get('/jobs/postings/:id', (c) => {
    const p = store.postings.get(c.req.param('id'));
    return p ? c.html(shell(`${p.text} – Lever Hire`, postingHtml(p))) : missing(c, 'Posting');
  });

  app.get('/jobs', (c) => {
    const rows = [...store.postings.values()]
      .map(
        (p) =>
          `<li><a href="/jobs/postings/${esc(p.id)}">${esc(p.text)}</a> <span class="muted">${esc(p.state)}</span></li>`,
      )
      .join('');
    return c.html(shell('Jobs – Lever Hire', `<h1>Jobs</h1><ul>${rows}</ul>`));
  });

  return app;
}
