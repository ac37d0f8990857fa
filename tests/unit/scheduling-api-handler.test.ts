import { expect, test } from 'vitest';
import { handleApiRequest } from '@/utils/background/api-handler';
import { handlerDeps as deps, fakeFetch, json } from './fake-fetch';
import { A } from './fixtures';

/** The scheduling calls the Schedule view makes go through the background's API handler, like every other call. */

const B = '00000000-0000-4000-8000-0000000000b1';
const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n';

test('the invitation is fetched as iCalendar text from the booking route', async () => {
  const { fetch, calls } = fakeFetch(
    () => new Response(ICS, { status: 200, headers: { 'content-type': 'text/calendar; method=CANCEL' } }),
  );
  const result = await handleApiRequest({ op: 'bookingInvitation', bookingId: B }, deps(fetch));
  expect(result).toEqual({ ok: true, data: ICS });
  expect(calls).toEqual([
    {
      method: 'GET',
      url: `http://127.0.0.1:8787/api/scheduling/bookings/${B}/invitation.ics`,
      auth: 'Bearer tok-123',
      body: '',
    },
  ]);
});

test('an answer that is not an iCalendar file is refused, and a bad booking id is never sent', async () => {
  const { fetch, calls } = fakeFetch(() => new Response('<html>proxy login</html>', { status: 200 }));
  const html = await handleApiRequest({ op: 'bookingInvitation', bookingId: B }, deps(fetch));
  expect(html).toMatchObject({ ok: false, error: { kind: 'invalid_response' } });
  const bad = await handleApiRequest({ op: 'bookingInvitation', bookingId: '../admin/calendars' }, deps(fetch));
  expect(bad).toMatchObject({ ok: false, error: { kind: 'invalid_request' } });
  expect(calls).toHaveLength(1);
});

test('bookings are listed by opportunity; reschedule and cancel post to the booking and return the proposal', async () => {
  const proposal = {
    id: '00000000-0000-4000-8000-000000000001',
    opportunityId: A,
    kind: 'interview-schedule',
    status: 'pending',
    payload: {},
    reason: 'Cancel',
    createdBy: 'r@example.com',
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    decidedBy: null,
    result: null,
    error: null,
    preview: { noteText: null },
  };
  const { fetch, calls } = fakeFetch((seen) =>
    seen.method === 'GET' ? json(200, { bookings: [] }) : json(201, proposal),
  );
  expect(await handleApiRequest({ op: 'scheduleBookings', opportunityId: A }, deps(fetch))).toEqual({
    ok: true,
    data: { bookings: [] },
  });
  const sessions = [{ start: '2030-01-08T10:00:00Z', end: '2030-01-08T11:00:00Z', interviewerIds: ['u-ana'] }];
  const moved = await handleApiRequest(
    { op: 'rescheduleBooking', bookingId: B, request: { option: { sessions } } },
    deps(fetch),
  );
  expect(moved).toMatchObject({ ok: true, data: { id: proposal.id } });
  expect(await handleApiRequest({ op: 'cancelBooking', bookingId: B }, deps(fetch))).toMatchObject({ ok: true });
  expect(calls.map((c) => `${c.method} ${c.url.replace('http://127.0.0.1:8787', '')} ${c.body}`)).toEqual([
    `GET /api/scheduling/bookings?opportunityId=${A} `,
    `POST /api/scheduling/bookings/${B}/reschedule ${JSON.stringify({ option: { sessions } })}`,
    `POST /api/scheduling/bookings/${B}/cancel {}`,
  ]);
});
