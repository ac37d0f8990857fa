import type {
  CandidateRecords,
  EmuApplication,
  EmuArchiveReason,
  EmuEeo,
  EmuFeedback,
  EmuFeedbackField,
  EmuInterview,
  EmuNote,
  EmuOffer,
  EmuOpportunity,
  EmuPanel,
  EmuPosting,
  EmuRequisition,
  EmuResume,
  EmuStage,
  EmuUser,
  SeedData,
  YearMonth,
} from './model.ts';
import { Rng } from './prng.ts';
import {
  CITIES,
  COMPANIES,
  DISABILITY,
  FAMILIES,
  FEEDBACK_COMMENTS_NEGATIVE,
  FEEDBACK_COMMENTS_POSITIVE,
  FIRST_NAMES,
  GENDERS,
  INJECTIONS,
  LAST_NAMES,
  NOTE_TEMPLATES,
  POSTING_PLANS,
  RACES,
  type RoleFamily,
  SCHOOLS,
  VETERAN,
} from './seed-vocab.ts';

/**
 * Deterministic demo data for the emulator: the same `seed` and `opportunities` always give byte-identical data,
 * so tests can rely on it. Everything is generated from word lists; nothing is copied from real people.
 */
export const DEFAULT_SEED = 20_240_601;
export const DEFAULT_OPPORTUNITIES = 300;
/** Seeded records are dated before this instant; anything the emulator does later is dated with the real clock. */
export const SEED_REFERENCE_TIME = Date.UTC(2026, 9, 1);
export const ORG_DOMAIN = 'acme-demo.example';

const DAY = 86_400_000;

export const STAGE_NAMES = [
  'New lead',
  'Reached out',
  'New applicant',
  'Recruiter screen',
  'Phone screen',
  'On-site interview',
  'Reference check',
  'Offer',
] as const;
const STAGE_IDS_FIXED = ['lead-new', 'lead-reached-out', 'applicant-new'];
export const STAGE_INDEX = { recruiterScreen: 3, phoneScreen: 4, onsite: 5, reference: 6, offer: 7 } as const;

const ARCHIVE_REASONS: Array<[string, 'hired' | 'non-hired']> = [
  ['Hired', 'hired'],
  ['Underqualified', 'non-hired'],
  ['Timing', 'non-hired'],
  ['Position filled', 'non-hired'],
  ['Withdrew', 'non-hired'],
  ['No response', 'non-hired'],
];

const FEEDBACK_TEMPLATE_ID = 'b5c2a6e0-7d3f-4a51-9c2e-3f1d0a9e8b71';
/** Feedback fields come from one template, so every scorecard shares the template's field ids. */
const FIELD_IDS = [
  '0c6f5a52-1f0e-4d1b-9a0e-6b2f1e1a0001',
  '0c6f5a52-1f0e-4d1b-9a0e-6b2f1e1a0002',
  '0c6f5a52-1f0e-4d1b-9a0e-6b2f1e1a0003',
  '0c6f5a52-1f0e-4d1b-9a0e-6b2f1e1a0004',
  '0c6f5a52-1f0e-4d1b-9a0e-6b2f1e1a0005',
  '0c6f5a52-1f0e-4d1b-9a0e-6b2f1e1a0006',
  '0c6f5a52-1f0e-4d1b-9a0e-6b2f1e1a0007',
];
const RATINGS = ['1 - Strong No Hire', '2 - No Hire', '3 - Hire', '4 - Strong Hire'];
/** Option ids of the feedback template's choice fields: fixed, like the template's field ids. */
const OPTION_ID_PREFIX = '3e1d7c40-5b2a-4f6e-8c9d-';
const LEVELS = ['Junior', 'Mid', 'Senior', 'Staff'];
const optionId = (n: number) => `${OPTION_ID_PREFIX}${String(n).padStart(12, '0')}`;
const TAGS = [
  'Referral',
  'Boomerang',
  'Diversity sourcing',
  'Priority',
  'Relocation needed',
  'Visa sponsorship',
  'Event: DevConf',
];

export type SeedOptions = { seed?: number; opportunities?: number };

export function generateSeed(opts: SeedOptions = {}): SeedData {
  const seed = opts.seed ?? DEFAULT_SEED;
  const rng = new Rng(seed);
  const count = Math.max(0, Math.floor(opts.opportunities ?? DEFAULT_OPPORTUNITIES));

  const users = makeUsers(rng);
  const stages: EmuStage[] = STAGE_NAMES.map((text, i) => ({ id: STAGE_IDS_FIXED[i] ?? rng.uuid(), text }));
  const archiveReasons: EmuArchiveReason[] = ARCHIVE_REASONS.map(([text, type]) => ({
    id: rng.uuid(),
    text,
    status: 'active',
    type,
  }));
  const recruiters = users.filter((u) => u.accessRole !== 'interviewer');
  const interviewers = users.filter((u) => u.accessRole === 'interviewer' || u.accessRole === 'team member');
  const postings = POSTING_PLANS.map((plan, i) => makePosting(rng, plan, i, recruiters));
  const requisitions = postings.map((p, i) => makeRequisition(rng, p, i));
  // Drawn from its own generator, after everything else, so the rest of the seed is the same as without it.
  const confidential = makeConfidentialPosting(new Rng((seed ^ 0x5eedc0f1) >>> 0), recruiters);

  const world: World = {
    seed,
    count,
    users,
    stages,
    archiveReasons,
    postings,
    requisitions,
    recruiters,
    interviewers,
    postingWeights: postings.map((_, k) => (k < 4 ? 3 : 2)),
    confidential,
    start: SEED_REFERENCE_TIME - SPAN,
    step: count > 0 ? SPAN / count : 0,
    offerPlans: new Map(),
  };
  // After the weights: no seeded draw can pick it; prefix() moves some applicants of its family to it.
  postings.push(confidential);
  const opportunities: EmuOpportunity[] = [];
  // Only opportunities stay in memory; everything hanging off one is rebuilt on demand from its own seed.
  for (let i = 0; i < count; i++) opportunities.push(buildCandidate(world, i, false).opportunity);
  const offerScenarios = planOffers(world, opportunities);
  return {
    seed,
    users,
    stages,
    archiveReasons,
    postings,
    requisitions,
    opportunities,
    offerScenarios,
    candidate: (index) => buildCandidate(world, index),
  };
}

/**
 * What each open offer (a candidate in the Offer stage, not archived) looks like, so offer checks have known cases:
 * the first open offers (in list order) are one above its requisition's band, one in another currency than the
 * band, one starting on a Saturday, one below the band; every other one is consistent (salary in the band, the
 * band's currency and interval, a weekday start). Start dates are months after SEED_REFERENCE_TIME.
 */
export const OFFER_SCENARIOS = ['above-band', 'currency-mismatch', 'weekend-start', 'below-band'] as const;

function planOffers(world: World, opportunities: EmuOpportunity[]): SeedData['offerScenarios'] {
  const offerStage = (world.stages[STAGE_INDEX.offer] as EmuStage).id;
  const out: SeedData['offerScenarios'] = [];
  for (const o of opportunities) {
    if (o.stage !== offerStage || o.archived) continue;
    const k = out.length;
    const scenario = OFFER_SCENARIOS[k] ?? 'consistent';
    out.push({ opportunityId: o.id, seedIndex: o.seedIndex, scenario });
    world.offerPlans.set(o.seedIndex, { k, scenario });
  }
  return out;
}

const SPAN = 720 * DAY;

type World = {
  seed: number;
  count: number;
  users: EmuUser[];
  stages: EmuStage[];
  archiveReasons: EmuArchiveReason[];
  postings: EmuPosting[];
  requisitions: EmuRequisition[];
  recruiters: EmuUser[];
  interviewers: EmuUser[];
  postingWeights: number[];
  /** The confidential search: takes some applicants of the first posting of its family (see prefix). */
  confidential: EmuPosting;
  start: number;
  step: number;
  /** Open offers by seed index (filled once the opportunities exist; see planOffers). */
  offerPlans: Map<number, { k: number; scenario: SeedData['offerScenarios'][number]['scenario'] }>;
};

/** The first draws of candidate `i`'s own generator: when it applied, to what, and who they are. */
function prefix(world: World, i: number) {
  const rng = new Rng((Math.imul(world.seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0);
  const createdAt = Math.floor(world.start + i * world.step + rng.next() * world.step * 0.9);
  const drawn = world.postings[rng.weighted(world.postingWeights)] as EmuPosting;
  // Every eighth applicant of the same family applied to the confidential search instead: same draws, same person.
  const posting = drawn.family === world.confidential.family && i % 8 === 2 ? world.confidential : drawn;
  const family = FAMILIES[posting.family] as RoleFamily;
  const person = makePerson(rng, family, posting.id);
  return { rng, createdAt, posting, family, person };
}

function buildCandidate(world: World, i: number, full = true): CandidateRecords {
  const p = prefix(world, i);
  let person = p.person;
  // Every 150th profile (from the 8th) is the previous person applying to a second job: one contact, two opportunities.
  if (i % 150 === 7) {
    const prev = prefix(world, i - 1);
    if (prev.posting.id !== p.posting.id) person = { ...prev.person, postingId: p.posting.id };
  }
  const inject = i % 61 === 17 && Math.floor(i / 61) < Math.max(3, Math.floor(world.count / 60));
  return makeCandidate(p.rng, world, {
    i,
    createdAt: p.createdAt,
    posting: p.posting,
    family: p.family,
    person,
    inject,
    recruiters: world.recruiters,
    interviewers: world.interviewers,
    full,
  });
}

type Person = {
  contact: string;
  first: string;
  last: string;
  email: string;
  phone: string;
  location: string;
  links: string[];
  postingId: string;
};

function makeUsers(rng: Rng): EmuUser[] {
  const roles: Array<[EmuUser['accessRole'], string]> = [
    ['super admin', 'Head of Talent'],
    ['admin', 'Recruiting Operations Lead'],
    ['admin', 'Senior Recruiter'],
    ['team member', 'Technical Recruiter'],
    ['team member', 'Recruiter'],
    ['team member', 'Sourcer'],
    ['team member', 'Engineering Manager'],
    ['team member', 'Sales Director'],
    ['limited team member', 'Design Lead'],
    ['interviewer', 'Staff Engineer'],
    ['interviewer', 'Senior Software Engineer'],
    ['interviewer', 'Account Executive'],
    ['interviewer', 'Product Designer'],
    ['interviewer', 'Support Team Lead'],
  ];
  const used = new Set<string>();
  return roles.map(([accessRole, jobTitle], i) => {
    let first = i === 0 ? 'Alex' : rng.pick(FIRST_NAMES);
    let last = i === 0 ? 'Rivera' : rng.pick(LAST_NAMES);
    while (used.has(`${first} ${last}`)) {
      first = rng.pick(FIRST_NAMES);
      last = rng.pick(LAST_NAMES);
    }
    used.add(`${first} ${last}`);
    const username = `${first}.${last}`.toLowerCase();
    return {
      id: rng.uuid(),
      name: `${first} ${last}`,
      username,
      email: `${username}@${ORG_DOMAIN}`,
      accessRole,
      jobTitle,
      createdAt: SEED_REFERENCE_TIME - (1000 - i) * DAY,
      deactivatedAt: null,
    };
  });
}

function makePosting(rng: Rng, plan: (typeof POSTING_PLANS)[number], i: number, recruiters: EmuUser[]): EmuPosting {
  const family = FAMILIES[plan.family] as RoleFamily;
  const must = rng.sample(family.skills, 5);
  const nice = rng.sample(
    family.skills.filter((s) => !must.includes(s)),
    3,
  );
  const years = plan.title.startsWith('Senior') ? 5 : plan.title.includes('Representative') ? 1 : 3;
  const description =
    `Acme Demo builds software that helps mid-sized companies run their operations. Our ${family.team} team ` +
    `is hiring a ${plan.title} to help us grow. You will work closely with ${family.department.toLowerCase()} ` +
    `colleagues, own meaningful projects end to end, and have real influence on how we work. ` +
    `This role is based in ${plan.location}.`;
  const requirements = [
    `${years}+ years of experience as a ${family.titles[0]} or in a similar role`,
    ...must.map((s) => `Hands-on experience with ${s}`),
    'Clear written and spoken communication in English',
  ];
  const niceToHave = [...nice.map((s) => `Exposure to ${s}`), 'Experience at a fast-growing SaaS company'];
  const responsibilities = rng.sample(family.bullets, 3).map((b) =>
    asResponsibility(
      b
        .replace('{skill}', rng.pick(must))
        .replace(/\{n\}/g, String(rng.int(2, 9)))
        .replace('{org}', 'a customer'),
    ),
  );
  const li = (items: string[]) => items.map((x) => `<li>${x}</li>`).join('');
  const owner = recruiters[i % recruiters.length] as EmuUser;
  const manager = recruiters[(i + 3) % recruiters.length] as EmuUser;
  const createdAt = SEED_REFERENCE_TIME - (760 - i * 7) * DAY;
  const posting: EmuPosting = {
    id: rng.uuid(),
    text: plan.title,
    state: i === 9 ? 'internal' : 'published',
    distributionChannels: i === 9 ? ['internal'] : ['public', 'internal'],
    confidentiality: 'non-confidential',
    user: owner.id,
    owner: owner.id,
    hiringManager: manager.id,
    // Every third posting has a third follower, so following a posting is not the same as owning or managing it.
    followers: [
      ...new Set([
        owner.id,
        manager.id,
        ...(i % 3 === 2 ? [(recruiters[(i + 5) % recruiters.length] as EmuUser).id] : []),
      ]),
    ],
    categories: {
      team: family.team,
      department: family.department,
      location: plan.location,
      allLocations: [plan.location],
      commitment: plan.commitment,
    },
    content: {
      description,
      descriptionHtml: `<div>${description}</div>`,
      lists: [
        { text: 'What you will do', content: li(responsibilities) },
        { text: 'Requirements', content: li(requirements) },
        { text: 'Nice to have', content: li(niceToHave) },
      ],
      closing: 'Acme Demo is an equal opportunity employer. We welcome applicants of every background.',
      closingHtml: '<div>Acme Demo is an equal opportunity employer. We welcome applicants of every background.</div>',
    },
    tags: [family.department, plan.commitment],
    country: plan.location.endsWith('Ireland') ? 'IE' : 'US',
    requisitionCodes: [`${family.department.slice(0, 3).toUpperCase()}-${100 + i}`],
    createdAt,
    updatedAt: createdAt + 3 * DAY,
    family: plan.family,
  };
  if (plan.salary) {
    const [min, max] = plan.salary;
    const currency = plan.location.endsWith('Ireland') ? 'EUR' : 'USD';
    posting.salaryRange = { min, max, currency, interval: 'per-year-salary' };
    posting.salaryDescription = `The base salary range for this role is ${currency} ${min.toLocaleString('en-US')}–${max.toLocaleString('en-US')}.`;
  }
  if (plan.workplaceType) posting.workplaceType = plan.workplaceType;
  return posting;
}

/**
 * A confidential posting (Lever: only admins and the people on it see it and its candidates): owned by one team
 * member, managed by another, and followed by a limited team member.
 */
function makeConfidentialPosting(rng: Rng, recruiters: EmuUser[]): EmuPosting {
  const plan = {
    family: 'backend',
    title: 'Staff Backend Engineer, Payments',
    location: 'New York, NY',
    commitment: 'Full-time',
  };
  const p = makePosting(rng, plan, POSTING_PLANS.length, recruiters);
  const members = recruiters.filter((u) => u.accessRole === 'team member');
  const owner = members[0] ?? (recruiters[0] as EmuUser);
  const manager = members[1] ?? owner;
  const limited = recruiters.find((u) => u.accessRole === 'limited team member');
  return {
    ...p,
    state: 'internal',
    distributionChannels: ['internal'],
    confidentiality: 'confidential',
    user: owner.id,
    owner: owner.id,
    hiringManager: manager.id,
    followers: [...new Set([owner.id, manager.id, ...(limited ? [limited.id] : [])])],
  };
}

function makeRequisition(rng: Rng, p: EmuPosting, i: number): EmuRequisition {
  return {
    id: rng.uuid(),
    requisitionCode: p.requisitionCodes[0] ?? `REQ-${i}`,
    name: p.text,
    status: 'open',
    backfill: i % 4 === 3,
    headcountTotal: 1 + (i % 3),
    headcountHired: 0,
    employmentStatus: p.categories.commitment === 'Contract' ? 'contract' : 'full-time',
    hiringManager: p.hiringManager,
    owner: p.owner,
    creator: p.owner,
    location: p.categories.location,
    team: p.categories.team,
    department: p.categories.department,
    postings: [p.id],
    offerIds: [],
    // Every requisition has a band (postings without a published salary range still have one internally).
    compensationBand: p.salaryRange
      ? {
          currency: p.salaryRange.currency,
          interval: p.salaryRange.interval,
          min: p.salaryRange.min,
          max: p.salaryRange.max,
        }
      : {
          currency: p.categories.location.endsWith('Ireland') ? 'EUR' : 'USD',
          interval: 'per-year-salary',
          min: 80000,
          max: 110000,
        },
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    customFields: { cost_center: `CC-${200 + i}` },
  };
}

function makePerson(rng: Rng, _family: RoleFamily, postingId: string): Person {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const n = rng.int(1, 999);
  const handle = `${first}.${last}`.toLowerCase();
  return {
    contact: rng.uuid(),
    first,
    last,
    email: `${handle}${n}@${rng.pick(['mail.example', 'inbox.example', 'post.example'])}`,
    phone: `+1 555-${String(rng.int(100, 999))}-${String(rng.int(1000, 9999))}`,
    location: rng.pick(CITIES),
    links: rng.chance(0.6) ? [`https://www.linkedin.com/in/${handle.replace('.', '-')}-${n}`] : [],
    postingId,
  };
}

type CandidateCtx = {
  i: number;
  createdAt: number;
  posting: EmuPosting;
  family: RoleFamily;
  person: Person;
  inject: boolean;
  recruiters: EmuUser[];
  interviewers: EmuUser[];
  full: boolean;
};

function ym(t: number): YearMonth {
  const d = new Date(t);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
}

function makeCandidate(rng: Rng, data: World, c: CandidateCtx): CandidateRecords {
  const out: CandidateRecords = {
    opportunity: undefined as unknown as EmuOpportunity,
    application: undefined as unknown as EmuApplication,
    resume: undefined as unknown as EmuResume,
    notes: [],
    feedback: [],
    interviews: [],
    panels: [],
    offers: [],
    eeo: [],
  };
  const { createdAt, posting, family, person } = c;
  const oppId = rng.uuid();
  const appId = rng.uuid();
  const originRoll = rng.weighted([55, 25, 10, 5, 3, 2]);
  const origin =
    (['applied', 'sourced', 'referred', 'agency', 'university', 'internal'] as const)[originRoll] ?? 'applied';
  const firstStage = origin === 'applied' || origin === 'referred' ? 2 : 0;

  // Pipeline position: a third of profiles are archived past applicants, some of them hired.
  const archivedRoll = rng.chance(0.35);
  const hired = archivedRoll && rng.chance(0.15);
  let stageIdx: number;
  if (hired) stageIdx = STAGE_INDEX.offer;
  else stageIdx = Math.max(firstStage, rng.weighted([10, 8, 24, 18, 14, 12, 7, 7]));
  const reasons = data.archiveReasons;
  const reason = hired ? reasons[0] : archivedRoll ? reasons[rng.int(1, reasons.length - 1)] : undefined;

  const ownerIndex = rng.int(0, c.recruiters.length - 1);
  const owner = c.recruiters[ownerIndex] as EmuUser;
  // Every fourth opportunity has a second follower besides its owner (chosen without a draw: the seed stays the same).
  const follower =
    c.i % 4 === 1 && c.recruiters.length > 1
      ? (c.recruiters[(ownerIndex + 1 + (c.i % (c.recruiters.length - 1))) % c.recruiters.length] as EmuUser)
      : null;
  const stageChanges: EmuOpportunity['stageChanges'] = [];
  let t = createdAt;
  for (let s = firstStage; s <= stageIdx; s++) {
    if (s > firstStage && rng.chance(0.4) && s !== stageIdx) continue; // pipelines skip stages
    stageChanges.push({ toStageId: (data.stages[s] as EmuStage).id, toStageIndex: s, userId: owner.id, updatedAt: t });
    t += rng.int(1, 9) * DAY;
  }
  const lastAdvancedAt = stageChanges.at(-1)?.updatedAt ?? createdAt;
  const archivedAt = reason ? lastAdvancedAt + rng.int(1, 14) * DAY : undefined;
  const updatedAt = Math.min(SEED_REFERENCE_TIME - 1, archivedAt ?? lastAdvancedAt + rng.int(0, 5) * DAY);

  // Resume: positions newest first, plausible year counts.
  const positionCount = rng.int(1, 4);
  const positions: EmuResume['parsedData']['positions'] = [];
  let end: number | null = null;
  let cursor = createdAt;
  const skills = rng.sample(family.skills, rng.int(4, 7));
  for (let p = 0; p < positionCount; p++) {
    const length = rng.int(10, 48) * 30 * DAY;
    const startAt = cursor - length;
    const org = rng.pick(COMPANIES);
    const title = rng.pick(family.titles);
    const bullets = rng.sample(family.bullets, 2).map((b) =>
      b
        .replace('{skill}', rng.pick(skills))
        .replace(/\{n\}/g, String(rng.int(2, 9)))
        .replace('{org}', org),
    );
    positions.push({
      org,
      title,
      summary: bullets.join('. '),
      location: rng.pick(CITIES),
      start: ym(startAt),
      end: end === null ? null : ym(end),
    });
    end = startAt - rng.int(0, 3) * 30 * DAY;
    cursor = end;
  }
  const years = Math.max(1, Math.round((createdAt - cursor) / (365 * DAY)));
  const gradYear = ym(cursor).year;
  const schools: EmuResume['parsedData']['schools'] = [
    {
      org: rng.pick(SCHOOLS),
      degree: rng.chance(0.8) ? 'B.S.' : 'B.A.',
      field: rng.pick(family.majors),
      start: { year: gradYear - 4, month: 9 },
      end: { year: gradYear, month: 6 },
    },
  ];
  if (rng.chance(0.2)) {
    schools.unshift({
      org: rng.pick(SCHOOLS),
      degree: 'M.S.',
      field: rng.pick(family.majors),
      start: { year: gradYear + 1, month: 9 },
      end: { year: gradYear + 2, month: 6 },
    });
  }
  const current = positions[0];
  const summary = `${current?.title ?? family.titles[0]} with ${years} years of experience in ${skills.slice(0, 3).join(', ')}.`;
  const resume: EmuResume = {
    id: rng.uuid(),
    opportunityId: oppId,
    createdAt,
    // A third of the résumés are PDFs, as most uploads to Lever are (the download serves the same text as a PDF).
    fileName: `${person.first}_${person.last}_Resume.${c.i % 3 === 1 && !c.inject ? 'pdf' : 'txt'}`,
    parsedData: { positions, schools },
    profile: {
      summary,
      skills,
      years,
      ...(c.inject ? { hiddenText: INJECTIONS[c.i % INJECTIONS.length] } : {}),
    },
  };
  out.resume = resume;

  const headline = [...new Set(positions.map((p) => p.org)), schools[0]?.org].filter(Boolean).slice(0, 3).join(', ');
  const tags = rng.chance(0.3) ? rng.sample(TAGS, rng.int(1, 2)) : [];
  if (origin === 'referred' && !tags.includes('Referral')) tags.push('Referral');
  const source =
    origin === 'applied'
      ? rng.pick(['Company website', 'LinkedIn', 'Indeed'])
      : origin === 'sourced'
        ? 'LinkedIn Recruiter'
        : origin === 'referred'
          ? 'Employee referral'
          : origin === 'agency'
            ? 'Northbridge Talent Partners'
            : origin === 'university'
              ? 'Campus career fair'
              : 'Internal transfer';

  const opp: EmuOpportunity = {
    id: oppId,
    contact: person.contact,
    name: `${person.first} ${person.last}`,
    headline,
    emails: [person.email],
    phones: [{ type: 'mobile', value: person.phone }],
    links: person.links,
    location: person.location,
    stage: (data.stages[stageIdx] as EmuStage).id,
    stageChanges,
    archived: reason && archivedAt ? { reason: reason.id, archivedAt } : null,
    // A few are confidential themselves; every applicant of a confidential posting is too (as in Lever).
    confidentiality:
      rng.chance(0.02) || posting.confidentiality === 'confidential' ? 'confidential' : 'non-confidential',
    tags,
    sources: [source],
    origin,
    sourcedBy: origin === 'sourced' ? owner.id : null,
    owner: owner.id,
    followers: follower && follower.id !== owner.id ? [owner.id, follower.id] : [owner.id],
    applicationId: appId,
    postingId: posting.id,
    createdAt,
    updatedAt,
    lastInteractionAt: updatedAt,
    lastAdvancedAt,
    snoozedUntil: null,
    seedIndex: c.i,
  };
  out.opportunity = opp;
  if (!c.full) return out; // the list pass needs only the opportunity; the rest is rebuilt on demand

  const app: EmuApplication = {
    id: appId,
    opportunityId: oppId,
    createdAt,
    type: origin === 'referred' ? 'referral' : origin === 'applied' ? 'posting' : 'user',
    posting: posting.id,
    postingOwner: posting.owner,
    postingHiringManager: posting.hiringManager,
    user: origin === 'applied' ? null : owner.id,
    name: opp.name,
    email: person.email,
    phone: { type: 'mobile', value: person.phone },
    company: current?.org ?? null,
    links: person.links,
    comments:
      origin === 'applied' && rng.chance(0.4)
        ? `I have followed Acme Demo for a while and would love to bring my ${skills[0]} experience to the team.`
        : null,
  };
  out.application = app;

  // Recruiter notes, made in the Lever UI (so the API may not edit them).
  const noteCount = stageIdx >= 2 ? rng.int(0, 2) : rng.int(0, 1);
  for (let n = 0; n < noteCount; n++) {
    const noteAt = createdAt + (n + 1) * DAY;
    const value = rng
      .pick(NOTE_TEMPLATES)
      .replace('{first}', person.first)
      .replace('{skill}', rng.pick(skills))
      .replace('{org}', current?.org ?? 'a previous employer')
      .replace('{loc}', person.location === 'Remote' ? 'remote' : `in ${person.location}`);
    const note: EmuNote = {
      id: rng.uuid(),
      opportunityId: oppId,
      text: 'Note',
      user: owner.id,
      secret: false,
      createdAt: noteAt,
      completedAt: noteAt,
      fields: [{ type: 'note', text: 'Note', value, createdAt: noteAt, user: owner.id, score: null }],
      createdVia: 'ui',
    };
    out.notes.push(note);
  }

  // Interview loop and scorecards for candidates past the phone screen; interviewers sometimes disagree.
  if (stageIdx >= STAGE_INDEX.phoneScreen) {
    const panelers = rng.sample(c.interviewers, rng.int(2, 3));
    const panelStart =
      (stageChanges.find((s) => s.toStageIndex >= STAGE_INDEX.phoneScreen)?.updatedAt ?? createdAt) + DAY;
    const panel: EmuPanel = {
      id: rng.uuid(),
      opportunityId: oppId,
      applications: [appId],
      interviews: [],
      start: panelStart,
      end: panelStart + panelers.length * 3_600_000,
      timezone: 'America/New_York',
      note: `${stageIdx >= STAGE_INDEX.onsite ? 'On-site' : 'Phone'} loop for ${posting.text}`,
      externallyManaged: false,
      externalUrl: null,
      canceledAt: null,
      user: owner.id,
      stage: (data.stages[Math.min(stageIdx, STAGE_INDEX.onsite)] as EmuStage).id,
      createdAt: panelStart - 3 * DAY,
    };
    out.panels.push(panel);
    const base = rng.int(1, 4);
    const disagree = rng.chance(0.3);
    panelers.forEach((u, k) => {
      const date = panelStart + k * 3_600_000;
      const interview: EmuInterview = {
        id: rng.uuid(),
        opportunityId: oppId,
        panel: panel.id,
        subject: `${['Technical deep dive', 'Values and collaboration', 'Role-specific exercise'][k] ?? 'Interview'} with ${opp.name}`,
        note: '',
        interviewers: [{ id: u.id, email: u.email, name: u.name, feedbackTemplate: null }],
        timezone: panel.timezone,
        date,
        duration: 60,
        location: 'Video call',
        feedbackTemplate: null,
        feedbackForms: [],
        user: owner.id,
        stage: panel.stage,
        canceledAt: null,
        postings: [posting.id],
        createdAt: panel.createdAt,
      };
      panel.interviews.push(interview.id);
      out.interviews.push(interview);
      const score = disagree && k === panelers.length - 1 ? 5 - base : Math.min(4, Math.max(1, base + rng.int(-1, 1)));
      // The second interviewer's form has the overall rating in the shape recorded live (type score, overall: true).
      const fb = makeFeedback(rng, oppId, u, panel.id, interview, score, skills, date, k === 1);
      interview.feedbackForms.push(fb.id);
      out.feedback.push(fb);
    });
  }

  if (stageIdx === STAGE_INDEX.offer) {
    const range = posting.salaryRange;
    const amount = range ? Math.round((range.min + (range.max - range.min) * rng.next()) / 1000) * 1000 : 85000;
    const offerAt = lastAdvancedAt + DAY;
    const offer: EmuOffer = {
      id: rng.uuid(),
      opportunityId: oppId,
      createdAt: offerAt,
      creator: owner.id,
      status: hired ? 'signed' : rng.pick(['draft', 'approved', 'sent']),
      approvedAt: offerAt + DAY,
      sentAt: hired ? offerAt + 2 * DAY : null,
      fields: [
        { text: 'Salary', identifier: 'salary_amount', value: amount },
        { text: 'Currency', identifier: 'compensation_currency', value: range?.currency ?? 'USD' },
        { text: 'Salary interval', identifier: 'salary_interval', value: 'per-year-salary' },
        { text: 'Anticipated start date', identifier: 'anticipated_start_date', value: offerAt + 30 * DAY },
      ],
    };
    const plan = data.offerPlans.get(c.i);
    const req = data.requisitions.find((r) => r.postings.includes(posting.id));
    if (plan && req?.compensationBand) applyOfferPlan(offer, plan, req.compensationBand, amount);
    out.offers.push(offer);
  }

  // EEO self-reports come only from people who applied, and only about half answer.
  if ((origin === 'applied' || origin === 'referred') && rng.chance(0.5)) {
    out.eeo.push({
      opportunityId: oppId,
      contact: person.contact,
      posting: posting.id,
      gender: rng.pick(GENDERS),
      race: rng.pick(RACES),
      veteran: rng.pick(VETERAN),
      disability: rng.pick(DISABILITY),
      currentStage: opp.stage,
      appliedAt: createdAt,
      hiredDate: hired && archivedAt ? archivedAt : null,
      origin,
      source,
      requisitionCodes: posting.requisitionCodes,
    } satisfies EmuEeo);
  }
  return out;
}

/** Rewrites an open offer's fields for its scenario (no draws from the candidate's generator: other data stays put). */
function applyOfferPlan(
  offer: EmuOffer,
  plan: { k: number; scenario: string },
  band: NonNullable<EmuRequisition['compensationBand']>,
  drawn: number,
): void {
  const inBand = drawn >= band.min && drawn <= band.max ? drawn : Math.round((band.min + band.max) / 2000) * 1000;
  const salary =
    plan.scenario === 'above-band' ? band.max + 15000 : plan.scenario === 'below-band' ? band.min - 10000 : inBand;
  const currency = plan.scenario === 'currency-mismatch' ? (band.currency === 'USD' ? 'EUR' : 'USD') : band.currency;
  // A Monday some months after the seed's reference time, a week apart per offer; the weekend case is its Saturday.
  const base = SEED_REFERENCE_TIME + 300 * DAY;
  const monday = base + ((8 - new Date(base).getUTCDay()) % 7) * DAY + 7 * plan.k * DAY;
  const start = plan.scenario === 'weekend-start' ? monday - 2 * DAY : monday;
  const fields: EmuOffer['fields'] = [
    { text: 'Salary', identifier: 'salary_amount', value: salary },
    { text: 'Currency', identifier: 'compensation_currency', value: currency },
    { text: 'Salary interval', identifier: 'salary_interval', value: band.interval },
    { text: 'Anticipated start date', identifier: 'anticipated_start_date', value: start },
  ];
  if (plan.k % 2 === 0)
    fields.push({ text: 'Signing bonus', identifier: 'custom_signing_bonus', value: 5000 + 1000 * plan.k });
  if (plan.k % 3 === 0)
    fields.push({ text: 'Equity (stock options)', identifier: 'custom_equity_options', value: 1200 + 100 * plan.k });
  offer.fields = fields;
  offer.status = 'draft';
  offer.approvedAt = null;
  offer.sentAt = null;
}

function makeFeedback(
  rng: Rng,
  oppId: string,
  author: EmuUser,
  panelId: string,
  interview: EmuInterview,
  score: number,
  skills: string[],
  at: number,
  liveOverall = false,
): EmuFeedback {
  const positive = score >= 3;
  const comment = rng
    .pick(positive ? FEEDBACK_COMMENTS_POSITIVE : FEEDBACK_COMMENTS_NEGATIVE)
    .replace('{skill}', rng.pick(skills));
  const rated = skills.slice(0, 3);
  // Lever's overall rating: its value is the chosen option's text ("3 - Hire"), never a number.
  const overall: EmuFeedbackField = {
    id: FIELD_IDS[0] as string,
    type: liveOverall ? 'score' : 'score-system',
    text: 'Rating',
    description: 'Your overall recommendation',
    required: true,
    value: RATINGS[score - 1],
    prompt: null,
    options: RATINGS.map((text, n) => ({ text, optionId: optionId(n + 1) })),
    ...(liveOverall ? { overall: true } : {}),
  };
  const choices = (texts: readonly string[], base: number) =>
    texts.map((text, n) => ({ text, optionId: optionId(base + n) }));
  const fields: EmuFeedbackField[] = [
    overall,
    {
      id: FIELD_IDS[6] as string,
      type: 'scorecard',
      text: 'Skills',
      required: true,
      value: rated.map((s) => ({
        score: Math.min(4, Math.max(1, score + rng.int(-1, 1))),
        comment: `${s}: ${positive ? 'solid' : 'below bar'}`,
      })),
    },
    {
      id: FIELD_IDS[1] as string,
      type: 'score',
      text: 'Communication',
      required: false,
      value: Math.min(4, Math.max(1, score + rng.int(-1, 0))),
    },
    {
      id: FIELD_IDS[2] as string,
      type: 'yes-no',
      text: 'Would you want to work with this person?',
      required: false,
      value: positive ? 'yes' : 'no',
    },
    {
      id: FIELD_IDS[3] as string,
      type: 'dropdown',
      text: 'Level',
      required: false,
      value: rng.pick(['Junior', 'Mid', 'Senior', 'Staff']),
      options: choices(LEVELS, 10),
    },
    {
      id: FIELD_IDS[4] as string,
      type: 'multiple-select',
      text: 'Strengths',
      required: false,
      value: rng.sample(skills, 2),
      options: choices(skills, 20),
    },
    {
      id: FIELD_IDS[5] as string,
      type: 'textarea',
      text: 'Summary',
      required: true,
      value: comment,
      prompt: 'What did you observe? Give examples.',
    },
  ];
  return {
    id: rng.uuid(),
    opportunityId: oppId,
    type: 'interview',
    text: 'Interview feedback',
    instructions: 'Rate what you observed, not potential. Submit within 24 hours.',
    baseTemplateId: FEEDBACK_TEMPLATE_ID,
    fields,
    user: author.id,
    panel: panelId,
    interview: interview.id,
    createdAt: at + 2 * 3_600_000,
    updatedAt: at + 2 * 3_600_000,
    completedAt: at + 2 * 3_600_000,
  };
}

// Resume bullets are past-tense achievements; a posting's "What you will do" list is written as duties.
const IMPERATIVE: Record<string, string> = {
  Automated: 'Automate',
  Booked: 'Book',
  Built: 'Build',
  Closed: 'Close',
  Cut: 'Cut',
  Designed: 'Design',
  Improved: 'Improve',
  Introduced: 'Introduce',
  Kept: 'Keep',
  Led: 'Lead',
  Mentored: 'Mentor',
  Moved: 'Move',
  Owned: 'Own',
  Raised: 'Raise',
  Ran: 'Run',
  Reached: 'Reach',
  Rebuilt: 'Rebuild',
  Redesigned: 'Redesign',
  Referred: 'Refer',
  Saved: 'Save',
  Shipped: 'Ship',
  Spoke: 'Speak',
  Trained: 'Train',
  Wrote: 'Write',
};

function asResponsibility(bullet: string): string {
  const [first = '', ...rest] = bullet.split(' ');
  const verb = IMPERATIVE[first];
  return verb ? [verb, ...rest].join(' ') : `Help with: ${bullet.charAt(0).toLowerCase()}${bullet.slice(1)}`;
}
