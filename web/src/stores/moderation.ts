import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useApi } from '../api/context';
import { useBusyCall } from '../composables/useBusyCall';
import type {
  ModerationAction,
  ModerationLogQuery,
  ReportPartsFragment,
  ReportQuery,
  ReportStatus,
} from '../gql/graphql';
import {
  ModerationLogDocument,
  ReportDocument,
  ReportsDocument,
  ResolveReportDocument,
} from '../operations/moderation';

export type ReportWithEvidence = ReportQuery['report'];
export type LogEntry = ModerationLogQuery['moderationLog']['edges'][number]['node'];

const PAGE_SIZE = 20;

/**
 * The moderator's desk: the report queue (newest first, by status), one report with its evidence
 * (each read is logged by the API), decisions, and the audit log.
 */
export const useModerationStore = defineStore('moderation', () => {
  const api = useApi();
  const status = ref<ReportStatus | null>('OPEN' as ReportStatus);
  const reports = ref<ReportPartsFragment[]>([]);
  const reportsCursor = ref<string | null>(null);
  const moreReports = ref(false);
  const selected = ref<ReportWithEvidence | null>(null);
  const log = ref<LogEntry[]>([]);
  const logCursor = ref<string | null>(null);
  const moreLog = ref(false);
  const { busy: loading, run: call } = useBusyCall();

  /** The first page of reports with `filter` (null: all). */
  async function loadReports(filter: ReportStatus | null = status.value, append = false): Promise<void> {
    status.value = filter;
    const after = append ? reportsCursor.value : null;
    const { data } = await call(() =>
      api.client.query({
        query: ReportsDocument,
        variables: { status: filter, first: PAGE_SIZE, after },
        fetchPolicy: 'network-only',
      }),
    );
    const page = data.reports.edges.map((e) => e.node);
    reports.value = append ? [...reports.value, ...page] : page;
    reportsCursor.value = data.reports.pageInfo.endCursor ?? null;
    moreReports.value = data.reports.pageInfo.hasNextPage;
  }

  /** Reads a report with its conversation (the API logs the read). */
  async function open(id: string): Promise<void> {
    const { data } = await call(() =>
      api.client.query({ query: ReportDocument, variables: { id }, fetchPolicy: 'network-only' }),
    );
    selected.value = data.report;
  }

  /** Decides about the selected report's user; the queue and the log are read again. */
  async function resolve(action: ModerationAction, hours: number | null, note: string | null): Promise<void> {
    const current = selected.value;
    if (!current) return;
    const { data } = await call(() =>
      api.client.mutate({ mutation: ResolveReportDocument, variables: { id: current.id, action, hours, note } }),
    );
    if (data) selected.value = { ...current, ...data.resolveReport };
    await Promise.all([loadReports(), loadLog()]);
  }

  async function loadLog(append = false): Promise<void> {
    const after = append ? logCursor.value : null;
    const { data } = await call(() =>
      api.client.query({
        query: ModerationLogDocument,
        variables: { first: PAGE_SIZE, after },
        fetchPolicy: 'network-only',
      }),
    );
    const page = data.moderationLog.edges.map((e) => e.node);
    log.value = append ? [...log.value, ...page] : page;
    logCursor.value = data.moderationLog.pageInfo.endCursor ?? null;
    moreLog.value = data.moderationLog.pageInfo.hasNextPage;
  }

  function reset(): void {
    reports.value = [];
    selected.value = null;
    log.value = [];
    reportsCursor.value = null;
    logCursor.value = null;
  }

  return {
    status,
    reports,
    moreReports,
    selected,
    log,
    moreLog,
    loading,
    loadReports,
    open,
    resolve,
    loadLog,
    reset,
  };
});
