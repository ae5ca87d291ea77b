import { beforeEach, describe, expect, it } from '@jest/globals';
import { FakeServer, GqlError, freshPinia } from '../test/fakeApi';
import { useModerationStore } from './moderation';

const user = (id: string) => ({ __typename: 'User', id, nickname: id, deleted: false });
const report = (id: string, over: Record<string, unknown> = {}) => ({
  __typename: 'Report',
  id,
  reason: 'rude',
  roomId: 'room-1',
  status: 'OPEN',
  action: null,
  createdAt: '2026-12-04T10:00:00.000Z',
  resolvedAt: null,
  reportedQuarantined: false,
  reporter: user('ana'),
  reported: user('bo'),
  ...over,
});
const page = (nodes: unknown[], hasNextPage = false) => ({
  edges: nodes.map((node, i) => ({ cursor: `c${i}`, node })),
  pageInfo: { hasNextPage, endCursor: nodes.length ? `c${nodes.length - 1}` : null },
});

let server: FakeServer;
beforeEach(() => {
  server = new FakeServer();
  freshPinia(server);
  server.handlers.Reports = () => ({ reports: page([report('r1')]) });
  server.handlers.ModerationLog = () => ({ moderationLog: page([]) });
});

describe('the moderator desk', () => {
  it('lists open reports, opens one with its evidence, and decides: the queue and the log are read again', async () => {
    const moderation = useModerationStore();
    await moderation.loadReports();
    expect(moderation.reports.map((r) => r.id)).toEqual(['r1']);
    expect(server.calls.find((c) => c.operation === 'Reports')?.variables).toMatchObject({ status: 'OPEN' });

    server.handlers.Report = () => ({
      report: {
        ...report('r1'),
        evidencePurged: false,
        roomClosedAt: null,
        evidence: [
          {
            __typename: 'Message',
            id: 'm1',
            seq: 1,
            body: 'hi',
            createdAt: '2026-12-04T09:00:00.000Z',
            sender: user('bo'),
            image: null,
          },
        ],
      },
    });
    await moderation.open('r1');
    expect(moderation.selected?.evidence?.map((m) => m.body)).toEqual(['hi']);

    server.handlers.ResolveReport = () => ({ resolveReport: report('r1', { status: 'RESOLVED', action: 'SUSPEND' }) });
    server.handlers.Reports = () => ({ reports: page([]) });
    await moderation.resolve('SUSPEND', 12, 'cool off');
    expect(server.calls.filter((c) => c.operation === 'ResolveReport').map((c) => c.variables)).toEqual([
      { id: 'r1', action: 'SUSPEND', hours: 12, note: 'cool off' },
    ]);
    expect(moderation.selected).toMatchObject({ status: 'RESOLVED', action: 'SUSPEND' });
    expect(moderation.reports).toEqual([]);
    expect(server.count('ModerationLog')).toBe(1);
  });

  it("rejects with the API's code when the caller is not a moderator", async () => {
    server.handlers.Reports = () => {
      throw new GqlError('FORBIDDEN');
    };
    await expect(useModerationStore().loadReports()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
