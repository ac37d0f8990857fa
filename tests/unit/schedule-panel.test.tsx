import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, expect, test, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { parseAvailability, SchedulePanel, weekGrid } from '@/components/candidate/SchedulePanel';
import { ApiProvider } from '@/components/ui/api-context';
import type { Proposal } from '@/utils/contracts/api';
import type { Booking, SlotsResponse } from '@/utils/contracts/scheduling';
import { resetPanelStore } from '@/utils/panel/store';
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

const booking = (over: Partial<Booking> = {}): Booking => ({
  id: '00000000-0000-4000-8000-0000000000b1',
  opportunityId: A,
  panelId: 'panel-1',
  status: 'booked',
  sequence: 0,
  sessions: [
    {
      start: '2030-01-08T10:00:00.000Z',
      end: '2030-01-08T10:45:00.000Z',
      subject: 'Interview 1/2',
      interviewerIds: ['u-ana'],
    },
    {
      start: '2030-01-08T11:00:00.000Z',
      end: '2030-01-08T11:45:00.000Z',
      subject: 'Interview 2/2',
      interviewerIds: ['u-bo'],
    },
  ],
  candidateTimeZone: 'UTC',
  updatedAt: '2030-01-01T00:00:00.000Z',
  ...over,
});

const people = vi.fn(async () => ({
  interviewers: [
    { id: 'u-ana', name: 'Ana Li', timeZone: 'America/New_York', workStart: '09:00', workEnd: '17:00' },
    { id: 'u-bo', name: 'Bo Chen', timeZone: 'Europe/London', workStart: '09:00', workEnd: '17:30' },
  ],
}));

function withAction(p: Proposal, action: 'reschedule' | 'cancel'): Proposal {
  const schedule = p.payload.schedule;
  if (!schedule) throw new Error('no schedule');
  return { ...p, payload: { schedule: { ...schedule, action } } };
}

test('parseAvailability reads ranges in the candidate zone (DST, past midnight) and names a bad line', () => {
  expect(parseAvailability('2030-01-08 09:00-12:00\n\n 2030-01-09 22:00-00:30 ', 'America/New_York')).toEqual({
    ranges: [
      { start: '2030-01-08T14:00:00.000Z', end: '2030-01-08T17:00:00.000Z' },
      { start: '2030-01-10T03:00:00.000Z', end: '2030-01-10T05:30:00.000Z' },
    ],
  });
  // London moves to BST on 31 March 2030: 09:00 that day is 08:00 UTC, the day before it is 09:00 UTC.
  expect(parseAvailability('2030-03-30 09:00-10:00\n2030-03-31 09:00-10:00', 'Europe/London')).toEqual({
    ranges: [
      { start: '2030-03-30T09:00:00.000Z', end: '2030-03-30T10:00:00.000Z' },
      { start: '2030-03-31T08:00:00.000Z', end: '2030-03-31T09:00:00.000Z' },
    ],
  });
  expect(parseAvailability('Tuesday morning', 'UTC')).toEqual({
    error: 'Not a time range: "Tuesday morning". Write e.g. 2030-01-08 09:00-12:00.',
  });
  expect(parseAvailability('2030-01-08 09:00-12:00\n'.repeat(51), 'UTC')).toEqual({
    error: 'At most 50 availability lines.',
  });
});

test('schedule: back-to-back sessions and the candidate’s stated availability go into the slot request', async () => {
  const user = userEvent.setup();
  const scheduleSlots = vi.fn(async () => slots);
  const api = fakeApi({ scheduleInterviewers: people, scheduleSlots });
  render(
    <ApiProvider api={api}>
      <SchedulePanel opportunityId={A} />
    </ApiProvider>,
  );
  await user.click(await screen.findByRole('checkbox', { name: /Bo Chen/ }));
  await user.click(screen.getByRole('checkbox', { name: /Ana Li/ }));
  await user.click(screen.getByRole('checkbox', { name: /Back-to-back sessions/ }));
  fireEvent.change(screen.getByRole('spinbutton', { name: /Break between sessions/ }), { target: { value: '15' } });
  fireEvent.change(screen.getByLabelText(/Week from/), { target: { value: '2030-01-07' } });
  fireEvent.change(screen.getByLabelText(/Candidate time zone/), { target: { value: 'America/New_York' } });
  const stated = screen.getByRole('textbox', { name: /stated availability/ });

  // A line that is not a range: said so, and nothing is asked of the backend.
  fireEvent.change(stated, { target: { value: 'mornings' } });
  await user.click(screen.getByRole('button', { name: 'Find times' }));
  expect(await screen.findByRole('alert')).toHaveTextContent('Not a time range: "mornings"');
  expect(scheduleSlots).not.toHaveBeenCalled();

  fireEvent.change(stated, { target: { value: '2030-01-08 09:00-12:00\n2030-01-09 13:00-17:00' } });
  await user.click(screen.getByRole('button', { name: 'Find times' }));
  await waitFor(() => expect(scheduleSlots).toHaveBeenCalledTimes(1));
  const sent = (scheduleSlots.mock.calls[0] as unknown as [{ request: Record<string, unknown> }])[0].request;
  expect(sent).toMatchObject({
    interviewerIds: ['u-bo', 'u-ana'],
    sessions: [
      { durationMin: 60, interviewerIds: ['u-bo'] },
      { durationMin: 60, interviewerIds: ['u-ana'] },
    ],
    gapMin: 15,
    candidateTimeZone: 'America/New_York',
    candidateAvailability: [
      { start: '2030-01-08T14:00:00.000Z', end: '2030-01-08T17:00:00.000Z' },
      { start: '2030-01-09T18:00:00.000Z', end: '2030-01-09T22:00:00.000Z' },
    ],
  });
  expect(sent).not.toHaveProperty('durationMin');
});

test('schedule: the candidate’s bookings, each with its .ics invitation fetched through the background', async () => {
  const user = userEvent.setup();
  const ics = 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
  const bookingInvitation = vi.fn(async () => ics);
  const blobs: Blob[] = [];
  const created = vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
    blobs.push(b as Blob);
    return 'blob:fulcrum/ics-1';
  });
  const api = fakeApi({
    scheduleInterviewers: people,
    scheduleBookings: vi.fn(async () => ({
      bookings: [booking(), booking({ id: '00000000-0000-4000-8000-0000000000b2', status: 'cancelled', sequence: 1 })],
    })),
    bookingInvitation,
  });
  render(
    <ApiProvider api={api}>
      <SchedulePanel opportunityId={A} />
    </ApiProvider>,
  );
  const list = await screen.findByRole('region', { name: 'Booked interviews' });
  await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(2));
  const [active, cancelled] = within(list).getAllByRole('listitem') as [HTMLElement, HTMLElement];
  expect(active).toHaveTextContent('with Ana Li');
  expect(active).toHaveTextContent('with Bo Chen');
  expect(cancelled).toHaveTextContent('(cancelled)');
  // Only a booked interview can be moved or cancelled.
  expect(within(cancelled).queryByRole('button', { name: /Reschedule|Cancel/ })).toBeNull();
  expect(within(active).getByRole('button', { name: /^Reschedule/ })).toBeEnabled();

  await user.click(within(active).getByRole('button', { name: 'Invitation (.ics)' }));
  const link = await within(active).findByRole('link', { name: 'Download interview.ics' });
  expect(bookingInvitation).toHaveBeenCalledWith({ bookingId: booking().id });
  expect(link).toHaveAttribute('href', 'blob:fulcrum/ics-1');
  expect(link).toHaveAttribute('download', 'interview-00000000.ics');
  expect(blobs[0]?.type).toBe('text/calendar');
  expect(await blobs[0]?.text()).toBe(ics);
  created.mockRestore();
});

test('schedule: cancel a booking through a proposal, approved with a click; the list is read again', async () => {
  const user = userEvent.setup();
  const cancelBooking = vi.fn(async () => withAction(proposal('pending'), 'cancel'));
  const approveProposal = vi.fn(async () => withAction(proposal('written'), 'cancel'));
  const scheduleBookings = vi
    .fn()
    .mockResolvedValueOnce({ bookings: [booking()] })
    .mockResolvedValue({ bookings: [booking({ status: 'cancelled', sequence: 1 })] });
  const api = fakeApi({ scheduleInterviewers: people, scheduleBookings, cancelBooking, approveProposal });
  render(
    <ApiProvider api={api}>
      <SchedulePanel opportunityId={A} />
    </ApiProvider>,
  );
  const list = await screen.findByRole('region', { name: 'Booked interviews' });
  await user.click(await within(list).findByRole('button', { name: /^Cancel / }));
  expect(cancelBooking).toHaveBeenCalledWith({ bookingId: booking().id });
  const review = await screen.findByRole('region', { name: 'Review booking' });
  expect(review).toHaveTextContent('Cancels the Lever panel and sends cancellations');
  expect(approveProposal).not.toHaveBeenCalled();
  await user.click(within(review).getByRole('button', { name: 'Approve and cancel' }));
  expect(await within(review).findByRole('status')).toHaveTextContent('Cancelled in Lever.');
  expect(approveProposal).toHaveBeenCalledWith({ id: proposal('pending').id, dryRun: false });
  await waitFor(() => expect(scheduleBookings).toHaveBeenCalledTimes(2));
  expect(await screen.findByText('No interview is booked now.')).toBeInTheDocument();
});

test('schedule: reschedule finds times for the booking’s own sessions and proposes the move', async () => {
  const user = userEvent.setup();
  const scheduleSlots = vi.fn(async () => slots);
  const rescheduleBooking = vi.fn(async () => withAction(proposal('pending'), 'reschedule'));
  const approveProposal = vi.fn(async () => withAction(proposal('written'), 'reschedule'));
  const proposeSchedule = vi.fn(notUsedHere);
  const api = fakeApi({
    scheduleInterviewers: people,
    scheduleBookings: vi.fn(async () => ({ bookings: [booking()] })),
    scheduleSlots,
    rescheduleBooking,
    approveProposal,
    proposeSchedule,
  });
  render(
    <ApiProvider api={api}>
      <SchedulePanel opportunityId={A} />
    </ApiProvider>,
  );
  const list = await screen.findByRole('region', { name: 'Booked interviews' });
  await user.click(await within(list).findByRole('button', { name: /^Reschedule/ }));
  expect(screen.getByRole('heading', { name: 'Move the interview' })).toBeInTheDocument();
  fireEvent.change(screen.getByLabelText(/Week from/), { target: { value: '2030-01-07' } });
  // No interviewer to pick: the booking's sessions are searched again.
  await user.click(screen.getByRole('button', { name: 'Find times' }));
  await waitFor(() => expect(scheduleSlots).toHaveBeenCalledTimes(1));
  const sent = (scheduleSlots.mock.calls[0] as unknown as [{ request: Record<string, unknown> }])[0].request;
  expect(sent).toMatchObject({
    interviewerIds: ['u-ana', 'u-bo'],
    sessions: [
      { durationMin: 45, interviewerIds: ['u-ana'] },
      { durationMin: 45, interviewerIds: ['u-bo'] },
    ],
    gapMin: 15,
  });
  const grid = await screen.findByRole('table', { name: 'Options this week' });
  await user.click(within(grid).getAllByRole('button')[1] as HTMLElement);
  await user.click(screen.getByRole('button', { name: 'Review new time' }));
  await waitFor(() =>
    expect(rescheduleBooking).toHaveBeenCalledWith({
      bookingId: booking().id,
      request: { option: { sessions: slots.options[1]?.sessions } },
    }),
  );
  expect(proposeSchedule).not.toHaveBeenCalled();
  const review = await screen.findByRole('region', { name: 'Review booking' });
  await user.click(within(review).getByRole('button', { name: 'Approve and move' }));
  expect(await within(review).findByRole('status')).toHaveTextContent('Moved in Lever.');
});

async function notUsedHere(): Promise<never> {
  throw new Error('not expected in this test');
}
