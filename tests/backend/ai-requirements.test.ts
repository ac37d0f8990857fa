import { describe, expect, it } from 'vitest';
import { extractCriteria } from '../../backend/ai/local/requirements.ts';
import { postingFromText } from '../../backend/ai/posting-from-text.ts';

const jd = `Job Title: Senior Data Engineer

About us
We move freight with data.

Responsibilities
- Build and run batch pipelines
- Mentor two junior engineers

Requirements
- 5+ years of experience as a data engineer
- Strong SQL and Python
- Bachelor's degree in Computer Science or a related field
- Must be authorized to work in the US
The ideal candidate should have:
- Experience with Airflow

Nice to have
- Fluent Spanish
- Core tools: Kafka, dbt, Snowflake
`;

describe('postingFromText', () => {
  it('takes the title and the requirement and nice-to-have items from the bullet structure', () => {
    const posting = postingFromText('job-1', jd);
    expect(posting.title).toBe('Senior Data Engineer');
    expect(posting.requirements).toEqual([
      '5+ years of experience as a data engineer',
      'Strong SQL and Python',
      "Bachelor's degree in Computer Science or a related field",
      'Must be authorized to work in the US',
      'Experience with Airflow',
    ]);
    expect(posting.niceToHave).toEqual(['Fluent Spanish', 'Core tools: Kafka, dbt, Snowflake']);
    expect(posting.text).toBe(jd);
  });

  it('splits a one-line list of skills into items', () => {
    const posting = postingFromText(
      'job-2',
      'Cashier\n\nRequired Skills\nThe candidate should have: Cash handling, Customer service, Basic math, Teamwork\n',
    );
    expect(posting.requirements).toEqual(['Cash handling', 'Customer service', 'Basic math', 'Teamwork']);
  });

  it('uses every bullet when the text has no requirement headings', () => {
    const posting = postingFromText('job-3', 'Barista\n- Make espresso drinks\n- Keep the bar clean\n');
    expect(posting.title).toBe('Barista');
    expect(posting.requirements).toEqual(['Make espresso drinks', 'Keep the bar clean']);
  });
});

describe('extractCriteria', () => {
  it('classifies each requirement and weights nice-to-haves at half', () => {
    const criteria = extractCriteria(postingFromText('job-1', jd));
    const byText = new Map(criteria.map((c) => [c.text, c]));
    expect(byText.get('5+ years of experience as a data engineer')?.kind).toBe('experience');
    expect(byText.get('Strong SQL and Python')?.kind).toBe('skill');
    expect(byText.get("Bachelor's degree in Computer Science or a related field")?.kind).toBe('education');
    expect(byText.get('Must be authorized to work in the US')).toMatchObject({ kind: 'other', mustHave: true });
    expect(byText.get('Fluent Spanish')?.kind).toBe('language');
    expect(byText.get('Strong SQL and Python')!.weight).toBe(
      2 * byText.get('Core tools: Kafka, dbt, Snowflake')!.weight,
    );
  });

  it('gives the same ids for the same posting, so questions and feedback can refer to them', () => {
    const a = extractCriteria(postingFromText('job-1', jd)).map((c) => c.id);
    const b = extractCriteria(postingFromText('job-1', jd)).map((c) => c.id);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(a.length);
  });

  it('adds a seniority criterion when a senior title states no years', () => {
    const criteria = extractCriteria({
      id: 'p',
      title: 'Senior Designer',
      team: null,
      location: null,
      text: '',
      requirements: ['Figma'],
      niceToHave: [],
    });
    expect(criteria.find((c) => c.id === 'seniority')).toMatchObject({ kind: 'experience' });
  });
});
