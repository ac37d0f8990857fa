import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ApiProvider } from '@/components/api-context';
import { SchedulePanel, weekGrid } from '@/components/SchedulePanel';
import type { Proposal } from '@/utils/contracts/api';
import type { SlotsResponse } from '@/utils/contracts/scheduling';
import { resetPanelStore } from '@/utils/panel-store';
import { A, fakeApi } from './fixtures';

beforeEach(() => {
  fakeBrowser.reset();
  resetPanelStore();
});

const option = (start: string, end: string, score: number): SlotsResponse['options'][number] => ({
  start,
  end,
  score,
  reasons: [
    `Starts ${start}.`,
    "Inside the candidate's hours (09:00-17:00 UTC).",
    'Interviews already that day: Ana 0/2.',
  ],
  sessions: [{ start, end, interviewerIds: ['u-ana', 'u-bo'] }],
});

const slots: SlotsResponse = {
  options: [
    option('2030-01-08T10:00:00Z', '2030-01-08T11:00:00Z', 91),
    option('2030-01-10T14:00:00Z', '2030-01-10T15:00:00Z', 80),
  ],
  interviewers: [],
  emailDraft: { subject: 'Interview times', body: 'Hi' },
};

function proposal(status: Proposal['status']): Proposal {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    opportunityId: A,
    kind: 'interview-schedule',
    status,
    payload: {
      schedule: {
        action: 'book',
        bookingId: '00000000-0000-4000-8000-0000000000b1',
        timezone: 'UTC',
        candidate: { name: 'Jo Park', email: 'jo@example.com', timeZone: 'UTC' },
        sessions: [
          {
            start: '2030-01-08T10:00:00.000Z',
            end: '2030-01-08T11:00:00.000Z',
            subject: 'Interview: Jo Park',
            interviewers: [
              { id: 'u-ana', name: 'Ana Li', email: 'ana@example.com' },
              { id: 'u-bo', name: 'Bo Chen', email: 'bo@example.com' },
            ],
          },
        ],
        emailDraft: { subject: 'Interview', body: 'Hi Jo,\n\nYour interview is confirmed for Tuesday 8 January.' },
      },
    },
    reason: 'Book',
    createdBy: 'r@example.com',
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    decidedBy: null,
    result: null,
    error: null,
    preview: { noteText: null },
  };
}

test('weekGrid puts each option in its day column in the given zone (across the date line)', () => {
  const from = Date.parse('2030-01-07T00:00:00Z');
  const utc = weekGrid(slots.options, from, 'UTC');
  expect(utc.map((d) => d.options.length)).toEqual([0, 1, 0, 1, 0, 0, 0]);
  // 14:00 UTC on the 10th is already the 11th in Kiritimati (+14).
  const kir = weekGrid(slots.options, from, 'Pacific/Kiritimati');
  expect(kir.find((d) => d.key === '2030-01-11')?.options).toHaveLength(1);
});

test('schedule: pick interviewers and a duration, see options on the week grid, review and approve the booking', async () => {
  const user = userEvent.setup();
  const scheduleSlots = vi.fn(async () => slots);
  const proposeSchedule = vi.fn(async () => proposal('pending'));
  const approveProposal = vi.fn(async () => proposal('written'));
  const api = fakeApi({
    scheduleInterviewers: vi.fn(async () => ({
      interviewers: [
        { id: 'u-ana', name: 'Ana Li', timeZone: 'America/New_York', workStart: '09:00', workEnd: '17:00' },
        { id: 'u-bo', name: 'Bo Chen', timeZone: 'Europe/London', workStart: '09:00', workEnd: '17:30' },
      ],
    })),
    scheduleSlots,
    proposeSchedule,
    approveProposal,
  });
  render(
    <ApiProvider api={api}>
      <SchedulePanel opportunityId={A} />
    </ApiProvider>,
  );
  const find = await screen.findByRole('button', { name: 'Find times' });
  expect(find).toBeDisabled();
  await user.click(screen.getByRole('checkbox', { name: /Ana Li/ }));
  await user.click(screen.getByRole('checkbox', { name: /Bo Chen/ }));
  await user.selectOptions(screen.getByRole('combobox', { name: /Duration/ }), '45');
  fireEvent.change(screen.getByLabelText(/Week from/), { target: { value: '2030-01-07' } });
  fireEvent.change(screen.getByLabelText(/Candidate time zone/), { target: { value: 'UTC' } });
  await user.click(find);
  await waitFor(() => expect(scheduleSlots).toHaveBeenCalledTimes(1));
  const sent = (scheduleSlots.mock.calls[0] as unknown as [{ request: Record<string, unknown> }])[0].request;
  expect(sent).toMatchObject({
    opportunityId: A,
    interviewerIds: ['u-ana', 'u-bo'],
    durationMin: 45,
    from: '2030-01-07T00:00:00.000Z',
    to: '2030-01-14T00:00:00.000Z',
    candidateTimeZone: 'UTC',
  });

  const grid = await screen.findByRole('table', { name: 'Options this week' });
  const cells = within(grid).getAllByRole('button');
  expect(cells).toHaveLength(2);
  await user.click(cells[0] as HTMLElement);
  expect(screen.getByText("Inside the candidate's hours (09:00-17:00 UTC).")).toBeInTheDocument();
  await user.click(screen.getByRole('button', { name: 'Review booking' }));
  const review = await screen.findByRole('region', { name: 'Review booking' });
  expect(within(review).getByText(/Interview: Jo Park/)).toHaveTextContent('with Ana Li, Bo Chen');
  expect(within(review).getByText(/Your interview is confirmed/)).toBeInTheDocument();
  expect(approveProposal).not.toHaveBeenCalled();
  await user.click(within(review).getByRole('button', { name: 'Approve and book' }));
  expect(await within(review).findByRole('status')).toHaveTextContent('Booked in Lever.');
  expect(approveProposal).toHaveBeenCalledWith({ id: proposal('pending').id, dryRun: false });
});

test('schedule: says how to configure calendars when none is, and shows a backend refusal', async () => {
  const api = fakeApi({ scheduleInterviewers: vi.fn(async () => ({ interviewers: [] })) });
  render(
    <ApiProvider api={api}>
      <SchedulePanel opportunityId={A} />
    </ApiProvider>,
  );
  expect(await screen.findByText(/No interviewer has a calendar configured yet/)).toBeInTheDocument();
});
