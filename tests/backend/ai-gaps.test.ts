import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { candidateFromText } from '../../backend/ai/candidate-from-text.ts';
import { analyzeCriterion, classifyKind } from '../../backend/ai/local/criterion-spec.ts';
import { stem } from '../../backend/ai/local/text.ts';
import { postingFromText } from '../../backend/ai/posting-from-text.ts';
import { scoreCandidateLocal } from '../../backend/ai/score-candidate.ts';
import type { PostingInput } from '../../backend/ai/types.ts';
import { loadRows } from '../../bench/quality-data.ts';
import { RJDB_DEV } from '../../bench/shared-data.ts';
import type { Rubric } from '../../utils/contracts/ai.ts';

/** What the match reports for one requirement: how it was judged, and the gap (if any) a recruiter reads. */

const now = new Date('2026-06-01T00:00:00Z');
const posting: PostingInput = {
  id: 'post-gaps',
  title: 'Operations Coordinator',
  team: null,
  location: null,
  text: 'Operations Coordinator for a regional bakery and logistics business.',
  requirements: [],
  niceToHave: [],
};
// Enough neutral text that the resume is judged at all, mentioning none of the skills under test.
const background = `Experience
Operations Coordinator, Northside Bakery (2018 - 2025)
- Planned delivery rounds for twelve drivers and kept the weekly rota for the shop floor.
- Answered supplier calls and kept the order book up to date for the head baker.
Education
High school diploma`;

function judge(requirement: string, resume: string) {
  const rubric: Rubric = {
    postingId: posting.id,
    criteria: [{ id: 'req', text: requirement, kind: classifyKind(requirement), weight: 1, mustHave: false }],
  };
  const result = scoreCandidateLocal(posting, candidateFromText('opp-gaps', `${resume}\n${background}`), {
    now,
    rubric,
  });
  const gap = result.gaps.find((g) => g.criterionId === 'req');
  return { status: result.criteria[0]!.status, gap: gap?.text };
}

describe('gaps name what the posting asks for and the resume lacks', () => {
  it('a requirement naming two things is only partly met by one, and the gap names the other', () => {
    const one = judge('Physical stamina and strength', 'Skills\n- Physical stamina for long shifts on my feet');
    expect(one.status).toBe('partly');
    expect(one.gap).toMatch(/no mention of strength/i);
    const both = judge('Physical stamina and strength', 'Skills\n- Physical stamina and strength for long shifts');
    expect(both.status).toBe('met');
    expect(both.gap).toBeUndefined();
  });

  it('each tool of a listed head is asked for: "Solarwinds/Orion, AppDynamics for APM" is not met by Solarwinds', () => {
    const requirement = 'In-depth experience with Solarwinds/Orion, AppDynamics for APM';
    const one = judge(requirement, 'Skills\n- Monitoring with Solarwinds/Orion for 40 servers');
    expect(one.status).toBe('partly');
    expect(one.gap).toMatch(/no mention of AppDynamics/);
    expect(judge(requirement, 'Skills\n- APM with Solarwinds/Orion and AppDynamics').status).toBe('met');
    // Alternatives and examples are not lists of requirements: one will do, and the others are not gaps.
    expect(judge('Experience with Solarwinds, Nagios or Zabbix', 'Skills\n- Nagios alerting').status).toBe('met');
    expect(judge('Experience with AWS, GCP or Azure', 'Skills\n- Azure functions and storage').status).toBe('met');
    const cloud = 'Experience with cloud services like Azure, AWS, GCP, or similar';
    expect(judge(cloud, 'Skills\n- Cloud services on AWS').status).toBe('met');
    const none = judge('Experience with AWS, GCP or Azure', 'Skills\n- Customer service');
    expect(none.status).toBe('not-met');
  });

  it('the words of one skill must be together: "time" in one line and "management" in another is not time management', () => {
    const apart = judge(
      'Excellent time management skills',
      'Skills\n- Stock management and ordering\n- Worked part time while studying',
    );
    expect(apart.status).toBe('partly');
    expect(apart.gap).toMatch(/time and management appear only on separate lines/);
    expect(judge('Excellent time management skills', 'Skills\n- Time management under pressure').status).toBe('met');
    // A broad word completing a name need not be on the same line: Cisco is Cisco technologies.
    expect(judge('Proficiency in Cisco technologies', 'Skills\n- Cisco routers\n- New technologies').status).toBe(
      'met',
    );
  });

  it('words that say how well ("skills", "abilities", "adept", "track record") neither decide a match nor become gaps', () => {
    expect(judge('Exceptional organizational abilities', 'Skills\n- Organizational skills').status).toBe('met');
    expect(
      judge(
        'Adept at front-end languages such as HTML, CSS3, JavaScript',
        'Skills\n- HTML, CSS3 and JavaScript for front-end languages',
      ).status,
    ).toBe('met');
    const record = judge('Proven track record in technology design', 'Skills\n- Technology design for web shops');
    expect(record.status).toBe('met');
  });

  it('words that say which aspect ("usage of", "-based", "protocols", "ecosystem") are not what is missing', () => {
    expect(judge('Understanding of HTTP protocols', 'Skills\n- HTTP caching and REST APIs').status).toBe('met');
    expect(judge('Mastery of Cloud-based technologies', 'Skills\n- Cloud migrations for retailers').status).toBe('met');
    expect(judge('Advanced skills with Cloudera ecosystem', 'Skills\n- Cloudera clusters').status).toBe('met');
    // The named thing itself still decides.
    expect(judge('Understanding of HTTP protocols', 'Skills\n- FTP servers and network protocols').status).not.toBe(
      'met',
    );
  });

  it('a plain word outside the head says what a skill is for, not a further skill: "XML to store data"', () => {
    const xml = 'Effective usage of XML to store and transport data';
    expect(judge(xml, 'Skills\n- XML schemas for invoices').status).toBe('met');
    expect(judge(xml, 'Skills\n- JSON schemas for invoices').status).not.toBe('met');
    // A named product outside the head is still asked for.
    const socket = 'Proficiency with socket programming implementation notably with Node.js and Socket.io';
    expect(judge(socket, 'Skills\n- Socket programming implementation in Node.js').gap).toMatch(/Socket\.io/);
  });

  it('a head of ordinary words that names no skill is judged by the skills the rest names', () => {
    const req = 'Technical Knowledge on Enterprise Automation / Puppet / Chef';
    expect(judge(req, 'Skills\n- Enterprise automation with Puppet and Chef').status).toBe('met');
    expect(judge(req, 'Skills\n- Puppet for 300 servers').status).not.toBe('met');
  });

  it('names written with a capital after a head of ordinary words decide it: "flush skills in Active Listening"', () => {
    const listening = 'The candidate should have flush skills in Active Listening';
    expect(judge(listening, 'Skills\n- Active Listening with customers').status).toBe('met');
    expect(judge(listening, 'Skills\n- Customer service').status).toBe('not-met');
    const nist = 'Acute depth knowlege and experience within NIST, FISMA, HITRUST AND HIPAA frameworks is compulsory.';
    expect(judge(nist, 'Skills\n- Audits under NIST, FISMA, HITRUST and HIPAA').status).toBe('met');
    // Every name must be shown, and a head that is itself a name still decides.
    expect(judge(nist, 'Skills\n- Audits under NIST and HIPAA').status).not.toBe('met');
    const cif = 'Understanding of CIF, an integral part of the system landscape in APO';
    expect(judge(cif, 'Skills\n- APO demand planning').status).not.toBe('met');
  });

  it('what is done with a thing ("modify and implement", "identification of") and how ("oral and written") is not a gap', () => {
    expect(
      judge('Capability to modify and implement circuits', 'Skills\n- Building circuits for test rigs').status,
    ).toBe('met');
    expect(judge('Identification of patterns through clustering', 'Skills\n- Clustering to find patterns').status).toBe(
      'met',
    );
    const talk = 'Excellent oral and written communication skills';
    expect(judge(talk, 'Skills\n- Strong communication skills').status).toBe('met');
    expect(judge(talk, 'Skills\n- Strong written reports').status).not.toBe('met');
    // The thing itself is still asked for.
    expect(judge('Capability to modify and implement circuits', 'Skills\n- Modifying web pages').status).not.toBe(
      'met',
    );
  });

  it('a head part that names something is shown by what it names, not by its ordinary words', () => {
    expect(judge('Clear competency of using EC2', 'Skills\n- Proficiency in working with EC2').status).toBe('met');
    const judgment = 'Brilliant sense of Judgment and Decision Making';
    expect(judge(judgment, 'Skills\n- Judgment and Decision Making').status).toBe('met');
    expect(judge(judgment, 'Skills\n- Decision Making').status).not.toBe('met');
    // A name in title case is one name: "Customer Service" is not shown by "service" alone, nor "Problem-solving"
    // by "problem", nor "Database Testing" by the two words on different lines.
    expect(judge('Customer Service', 'Skills\n- Field service engineer').status).not.toBe('met');
    expect(judge('Strong Problem-solving Skills', 'Skills\n- Problem analysis').status).not.toBe('met');
    expect(judge('Proficient in Database Testing', 'Skills\n- Database design\n- Unit testing').status).not.toBe('met');
    expect(judge('Proficient in Database Testing', 'Skills\n- Database testing with SQL').status).toBe('met');
  });

  it('a requirement that names things is met when the resume shows every name, whatever its ordinary words', () => {
    const hr = 'Comprehensive understanding of the Recruiting and Payroll functionality and architectural structures';
    expect(judge(hr, 'Skills\n- Recruiting and Payroll modules').status).toBe('met');
    expect(judge(hr, 'Skills\n- Payroll modules').status).not.toBe('met');
  });

  it('a name written with a capital after the head is asked for, unless it only describes the head', () => {
    const scrum = 'Adept in implementing Java applications within Scrum framework';
    expect(judge(scrum, 'Skills\n- Java applications for banks').status).toBe('partly');
    expect(judge(scrum, 'Skills\n- Java applications for banks').gap).toMatch(/Scrum/);
    expect(judge(scrum, 'Skills\n- Java applications in Scrum teams').status).toBe('met');
  });

  it('a skill named only in a dated role title is partly shown, and the gap says so', () => {
    const title = judge('Strong proficiency in Java', 'Work\nBig Data Developer - Hadoop/Java (2016 - 2021)');
    expect(title.status).toBe('partly');
    expect(title.gap).toMatch(/Java only in a job title/);
    const used = judge(
      'Strong proficiency in Java',
      'Work\nBig Data Developer - Hadoop/Java (2016 - 2021)\n- Wrote Java services for billing',
    );
    expect(used.status).toBe('met');
    // Examples of the head shown on a skills line show it, whatever the job title says.
    const frontEnd = 'Adept at front-end languages such as HTML, CSS3, JavaScript';
    const titled = 'Work\nFront-End Developer, Acme (2016 - 2021)\nSkills\n- HTML, CSS3, JavaScript, jQuery';
    expect(judge(frontEnd, titled).status).toBe('met');
  });

  it('a generic word that is part of a name counts: "Requirements Analyst" is not met by "Systems Analyst"', () => {
    const systems = judge('Proficient as a Requirements Analyst', 'Work\n- Senior Systems Analyst at Acme');
    expect(systems.status).not.toBe('met');
    expect(systems.gap).toMatch(/requirements/i);
    expect(judge('Proficient as a Requirements Analyst', 'Work\n- Requirements Analyst at Acme').status).toBe('met');
  });

  it('what a resume says the candidate lacks is not evidence: "without Angular JS", "minus Oracle", "except IGMP"', () => {
    expect(judge('Proficiency in Angular JS', 'Work\n- UI Lead developer without Angular JS and Ajax').status).toBe(
      'not-met',
    );
    expect(judge('Strong understanding of Ajax', 'Work\n- UI Lead developer without Angular JS and Ajax').status).toBe(
      'not-met',
    );
    expect(judge('Knowledge of IGMP', 'Skills\n- BGP, OSPF, EIGRP, except IGMP.').status).toBe('not-met');
    // The clause ends the negation: what follows is stated.
    expect(judge('Knowledge of OSPF', 'Skills\n- Worked without supervision, configured OSPF areas').status).toBe(
      'met',
    );
    // "not only ... but" adds rather than denies.
    expect(judge('Knowledge of OSPF', 'Skills\n- Not only OSPF but also BGP').status).toBe('met');
  });

  it('a gap read on its own (as the CLI prints it) names the requirement it is about', () => {
    const { gap } = judge('High physical stamina to endure long working hours', 'Skills\n- Customer service');
    expect(gap).toContain('Requirement: High physical stamina to endure long working hours.');
  });

  it('what a head is for ("skills to guide the team", "for UI development") is not itself asked for', () => {
    // "to" after a noun starts a purpose: the head is "Leadership skills", not "Leadership skills to guide".
    const lead = judge('Strong Leadership skills to guide and manage the team', 'Skills\n- Leadership of a shift team');
    expect(lead.status).toBe('met');
    expect(judge('Strength to handle heavy baking equipment', 'Skills\n- Strength and stamina').status).toBe('met');
    // ...but "attention to detail" is one thing.
    expect(judge('Meticulous attention to detail', 'Skills\n- Attention to customers').status).not.toBe('met');
    // A named skill only in the purpose clause earns credit but is not a gap.
    const html = judge('Experience in HTML5 & CSS3 for UI development', 'Skills\n- HTML5 & CSS3 web pages');
    expect(html.status).toBe('met');
    const none = judge('Experience in HTML5 & CSS3 for UI development', 'Skills\n- UI development in Flutter');
    expect(none.status).not.toBe('met');
    expect(none.gap).toMatch(/HTML5/);
  });

  it('words that say what kind of thing a named one is ("operating systems", "programming") are not gaps', () => {
    expect(judge('Proficient with Linux-based operating systems', 'Skills\n- Linux servers').status).toBe('met');
    expect(judge('Proficient grasp on C# programming', 'Skills\n- C# services').status).toBe('met');
    expect(judge('Deep expertise in Workday functionality', 'Skills\n- Workday rollouts').status).toBe('met');
    expect(
      judge('Proficient with Linux-based operating systems', 'Skills\n- Windows operating systems').status,
    ).not.toBe('met');
  });

  it('a short name keeps the capitals the vocabulary writes: "iOS" is iOS', () => {
    // Named as the skill, the requirement is met by its aliases too ("iPadOS").
    expect(judge('Experience with iOS', 'Skills\n- Built iOS apps in Swift').status).toBe('met');
    expect(judge('Experience with iOS', 'Skills\n- Built iPadOS apps in Swift').status).toBe('met');
    expect(judge('Experience with iOS', 'Skills\n- Built Android apps in Kotlin').status).toBe('not-met');
  });

  it('an acronym and its expansion name one thing, written either way round', () => {
    expect(judge('TMG (Threat Management Gateway)', 'Skills\n- TMG firewall rules').status).toBe('met');
    expect(judge('Pefromance KPI (Key Performace Indicators)', 'Skills\n- Weekly KPI reports').status).toBe('met');
    expect(judge('Knowledge of full Software Development Lifecycle (SDLC)', 'Skills\n- SDLC gates').status).toBe('met');
    expect(judge('Expertise in Supply Network Planning (SNP)', 'Skills\n- Supply network planning').status).toBe('met');
    // The words may join with "and": "Security Information and Event Management (SIEM)".
    const siem = 'Strong working understanding of Security Information and Event Management (SIEM)';
    expect(judge(siem, 'Skills\n- SIEM tuning').status).toBe('met');
    expect(judge(siem, 'Skills\n- Event planning').status).not.toBe('met');
    // Neither form shown: still a gap, and it names the requirement.
    const none = judge('TMG (Threat Management Gateway)', 'Skills\n- Threat hunting');
    expect(none.status).toBe('not-met');
    expect(none.gap).toMatch(/Threat Management Gateway/);
  });

  it('what describes the head ("and its integration", ", an integral part of APO", "different") is not asked for', () => {
    const vmware = 'Experience with VMware and its integration into network operations';
    expect(judge(vmware, 'Skills\n- VMware clusters for 200 hosts').status).toBe('met');
    expect(judge(vmware, 'Skills\n- Hyper-V clusters for 200 hosts').status).not.toBe('met');
    const cif = 'Understanding of CIF, an integral part of the system landscape in APO';
    expect(judge(cif, 'Skills\n- CIF interface monitoring').status).toBe('met');
    expect(judge('Practical understanding of different hardware systems', 'Skills\n- Hardware systems').status).toBe(
      'met',
    );
    // A real list still asks for each item.
    expect(judge('Experience with VMware, Hyper-V and Citrix', 'Skills\n- VMware clusters').status).not.toBe('met');
  });

  it('reading names stays linear on long runs of capitals and hyphens', () => {
    for (const text of ['Ab-'.repeat(40_000), 'Ab Cd '.repeat(20_000)]) {
      const t0 = performance.now();
      expect(
        analyzeCriterion({ id: 'r', text, kind: 'skill', weight: 1, mustHave: false }).concepts.length,
      ).toBeGreaterThan(0);
      expect(performance.now() - t0).toBeLessThan(10_000);
    }
  });

  it('"MS SQL Server" is a skill, not a Master of Science', () => {
    expect(classifyKind('Comprehensive understanding of MS SQL Server')).toBe('skill');
    expect(classifyKind('MS in Computer Science')).toBe('education');
    // Nor is a lower-case "ms" naming a further thing.
    expect(classifyKind('Expert knowledge of ms analytics platform and big data')).toBe('skill');
    expect(classifyKind('ms degree in statistics')).toBe('education');
    expect(judge('Comprehensive understanding of MS SQL Server', 'Skills\n- Customer service').status).toBe('not-met');
  });

  it('keeps unrelated words apart that the stemmer used to merge, and joins adjectives to their nouns', () => {
    expect(stem('community')).not.toBe(stem('communication'));
    expect(stem('experiment')).not.toBe(stem('experience'));
    expect(stem('personal')).not.toBe(stem('person'));
    expect(stem('managerial')).toBe(stem('management'));
    expect(stem('directorial')).toBe(stem('director'));
    expect(stem('financial')).toBe(stem('finance'));
    expect(judge('Communication skills', 'Education\n- Community college diploma').status).toBe('not-met');
  });

  it('does not split a years requirement that lists several roles into separate requirements', () => {
    const text = `Job title\nMolder\n\nRequired Experience\n3 years of hands-on experience as a Molder, Molding Machine Setter, and Operator of both metal and plastic.\n`;
    expect(postingFromText('job', text).requirements).toEqual([
      '3 years of hands-on experience as a Molder, Molding Machine Setter, and Operator of both metal and plastic.',
    ]);
  });
});

/**
 * Every gap names its requirement in plain words: the words it quotes are the requirement's own as written (never a
 * stem such as "manag" or a vocabulary id such as "§project-management"), and the requirement itself is in the text.
 */
const TEMPLATE_WORDS = new Set(
  (
    'found partly the resume shows part of no mention evidence in appear only on separate lines a job title asked years ' +
    'year mentions it but not as dated role gives dates to count this experience has clearly field for and or ' +
    'degree master s bachelor associate doctorate high school diploma does say whether candidate speaks'
  ).split(' '),
);
/** Words as written, split at hyphens and apostrophes ("e-Commerce", "API's"); "C#" and "C++" stay whole. */
const words = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}]+[#+]*/gu) ?? [];

function expectPlainGap(gap: { text: string }, requirement: string) {
  expect(gap.text).not.toMatch(/§/);
  const flat = requirement.replace(/\s+/g, ' ').trim();
  const asked = new Set(words(flat));
  // The requirement is quoted (up to the length limit), or the explanation already holds all of it.
  const [explanation, quoted] = gap.text.split(' Requirement: ');
  if (quoted !== undefined) expect(flat.replace(/[.;:,]+$/, '')).toContain(quoted.replace(/[.…]+$/, ''));
  else for (const w of asked) expect(words(gap.text)).toContain(w);
  // Every other word of the explanation is the requirement's own or the sentence around it.
  for (const w of words(explanation!)) {
    if (/^\d+\+?$/.test(w)) continue;
    expect(asked.has(w) || TEMPLATE_WORDS.has(w), `"${w}" in: ${gap.text}`).toBe(true);
  }
}

describe('every gap names the requirement in plain words', () => {
  const cases: Array<[string, string]> = [
    ['Proficiency in systems development and project management', 'Skills\n- Systems development in C'],
    ['Excellent time management skills', 'Skills\n- Stock management\n- Worked part time'],
    ['In-depth experience with Solarwinds/Orion, AppDynamics for APM', 'Skills\n- Solarwinds/Orion dashboards'],
    ['Experience with AWS, GCP or Azure', 'Skills\n- Customer service'],
    ['Strong proficiency in Java', 'Work\nBig Data Developer - Hadoop/Java (2016 - 2021)'],
    ['5+ years of experience as a Frontend Engineer', 'Work\nFrontend Engineer, Acme (2022 - 2024)'],
    ["Bachelor's degree in Computer Science", 'Education\nHigh school diploma'],
    ['TMG (Threat Management Gateway)', 'Skills\n- Threat hunting'],
    ['Managerial abilities and budgeting', 'Skills\n- Budget reviews'],
  ];
  it('the check itself fails on a stem, an id, or a requirement that is not quoted', () => {
    const req = 'Proficiency in systems development and project management';
    expect(() =>
      expectPlainGap(
        { text: `Partly: The resume shows part of ${req}; no mention of manag. Requirement: ${req}.` },
        req,
      ),
    ).toThrow();
    expect(() => expectPlainGap({ text: 'No evidence of §project-management in the resume.' }, req)).toThrow();
    expect(() => expectPlainGap({ text: 'No evidence of project management in the resume.' }, req)).toThrow();
  });

  for (const [requirement, resume] of cases)
    it(`"${requirement}"`, () => {
      const { gap } = judge(requirement, resume);
      expect(gap).toBeDefined();
      expectPlainGap({ text: gap! }, requirement);
    });

  it.skipIf(!fs.existsSync(RJDB_DEV))('on the first 40 RJDB jobs, for the unmatched and the matched resume', () => {
    const rows = loadRows(RJDB_DEV, 40);
    let checked = 0;
    rows.forEach((r, i) => {
      const job = postingFromText(`job-${i}`, r['Job-Description']);
      for (const text of [r['Resume-unmatched'], r['Resume-matched']]) {
        const result = scoreCandidateLocal(job, candidateFromText(`c${i}`, text), { now });
        for (const gap of result.gaps) {
          const criterion = result.criteria.find((c) => c.criterion.id === gap.criterionId)!.criterion;
          expectPlainGap(gap, criterion.text);
          checked++;
        }
      }
    });
    expect(checked).toBeGreaterThan(100);
  });
});
