import { useEffect, useId, useState } from 'react';
import { ReviewSheet } from '@/components/review/ReviewSheet';
import { useApi } from '@/components/ui/api-context';
import { EmptyState, ErrorNotice, Skeleton } from '@/components/ui/Feedback';
import { ProvenanceLine } from '@/components/ui/ProvenanceLine';
import type { InterviewQuestion } from '@/utils/contracts/ai.ts';
import type { CandidateContext } from '@/utils/contracts/api.ts';
import { usePanelStore, useSlot } from '@/utils/panel/store';

type Group = { criterionId: string; criterion: string; questions: InterviewQuestion[] };

function groupByCriterion(questions: InterviewQuestion[]): Group[] {
  const groups = new Map<string, Group>();
  for (const question of questions) {
    const group = groups.get(question.criterionId) ?? {
      criterionId: question.criterionId,
      criterion: question.criterion,
      questions: [],
    };
    group.questions.push(question);
    groups.set(question.criterionId, group);
  }
  return [...groups.values()];
}

export function questionsNote(stage: string, groups: { criterion: string; questions: string[] }[]): string {
  const sections = groups.map((group) => `${group.criterion}\n${group.questions.map((q) => `- ${q}`).join('\n')}`);
  return `Interview questions for ${stage}\n\n${sections.join('\n\n')}`;
}

/** Questions for the candidate's current stage, grouped by criterion; pick, edit, then save to Lever for the panel. */
export function InterviewPanel({
  opportunityId,
  candidate,
  candidateSettled,
}: {
  opportunityId: string;
  candidate?: CandidateContext;
  /** The candidate context has loaded or failed: the stage is known (or unknowable). */
  candidateSettled: boolean;
}) {
  const api = useApi();
  const id = useId();
  const load = usePanelStore((state) => state.load);
  const state = useSlot(opportunityId, 'questions');
  const [deselected, setDeselected] = useState<Set<string>>(new Set());
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [editing, setEditing] = useState<string>();
  const [reviewing, setReviewing] = useState(false);
  const stage = candidate?.stage?.text;

  const run = (refresh: boolean) =>
    load(
      opportunityId,
      'questions',
      () => api.questions({ opportunityId, stage, refresh }),
      refresh ? undefined : () => api.cached({ opportunityId, capability: 'questions' }),
    );
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once per candidate, when its stage is known
  useEffect(() => {
    if (candidateSettled && state.status === 'idle') void run(false);
  }, [opportunityId, candidateSettled]);

  const data = state.data;
  if (!data) {
    if (state.status === 'error' && state.error)
      return <ErrorNotice failure={state.error} onRetry={() => run(false)} />;
    return <Skeleton label="Preparing interview questions" lines={5} />;
  }

  const groups = groupByCriterion(data.questions);
  const textOf = (question: InterviewQuestion) => edits[question.id] ?? question.question;
  const selected = data.questions.filter((question) => !deselected.has(question.id));

  if (reviewing) {
    const chosen = groups
      .map((group) => ({
        criterion: group.criterion,
        questions: group.questions.filter((q) => !deselected.has(q.id)).map(textOf),
      }))
      .filter((group) => group.questions.length > 0);
    return (
      <ReviewSheet
        opportunityId={opportunityId}
        kind="interview-questions"
        payload={{ note: { text: questionsNote(data.stage, chosen) } }}
        reason={`Interview questions for the ${data.stage} panel`}
        leverUrl={candidate?.leverUrl}
        onClose={() => setReviewing(false)}
      />
    );
  }

  return (
    <section aria-label="Interview questions">
      {state.status === 'loading' && (
        <p className="muted" role="status">
          Refreshing…
        </p>
      )}
      {state.status === 'error' && state.error && <ErrorNotice failure={state.error} onRetry={() => run(false)} />}
      <p>
        Questions for the <strong>{data.stage}</strong> stage
        <span className="muted"> ({data.roleFamily})</span>
      </p>
      {groups.length === 0 ? (
        <EmptyState title="No questions for this stage." />
      ) : (
        groups.map((group) => (
          <fieldset key={group.criterionId} className="card">
            <legend>
              <strong>{group.criterion}</strong>
            </legend>
            {group.questions.map((question) => (
              <div key={question.id}>
                <div className="row">
                  <input
                    type="checkbox"
                    id={`${id}-${question.id}`}
                    checked={!deselected.has(question.id)}
                    onChange={(event) => {
                      const next = new Set(deselected);
                      if (event.target.checked) next.delete(question.id);
                      else next.add(question.id);
                      setDeselected(next);
                    }}
                  />
                  <label htmlFor={`${id}-${question.id}`} className="grow" style={{ fontWeight: 400, margin: 0 }}>
                    {textOf(question)}
                  </label>
                  <button
                    type="button"
                    aria-label={`Edit question: ${textOf(question)}`}
                    onClick={() => setEditing(editing === question.id ? undefined : question.id)}
                  >
                    {editing === question.id ? 'Done' : 'Edit'}
                  </button>
                </div>
                {editing === question.id && (
                  <>
                    <label htmlFor={`${id}-${question.id}-edit`} className="sr-only">
                      Question text
                    </label>
                    <textarea
                      id={`${id}-${question.id}-edit`}
                      rows={3}
                      value={textOf(question)}
                      onChange={(event) => setEdits({ ...edits, [question.id]: event.target.value })}
                    />
                  </>
                )}
                <p className="muted">
                  Strong answer: {question.strongAnswer}
                  {question.reason === 'gap' ? ' · probes a gap' : question.reason === 'unclear' ? ' · unclear' : ''}
                </p>
              </div>
            ))}
          </fieldset>
        ))
      )}
      <div className="row">
        <button type="button" className="primary" onClick={() => setReviewing(true)} disabled={selected.length === 0}>
          Save {selected.length} to Lever
        </button>
        <button type="button" onClick={() => run(true)} disabled={state.status === 'loading'}>
          Regenerate
        </button>
      </div>
      <ProvenanceLine provenance={data.provenance} />
    </section>
  );
}
