// The connection-log archive in the log view (docs/archive.md › In the app). For now: at launch
// the log view shows the archived records of its period at once, with no network and no
// sign-in. A run without an archive (damaged or newer file: the startup notice said why) keeps
// the log in memory as before. Mounted from logs.ts with one call.
import * as api from "../api";

/** Loads the archived period of `query()` and hands the summary to the log view's `shown`. */
export async function showArchivedPeriod(
  query: () => api.LogQuery | null,
  shown: (summary: api.LogSummary) => Promise<void>,
): Promise<void> {
  const q = query();
  if (!q) return;
  let summary: api.LogSummary;
  try {
    summary = await api.loadArchivedLogs(q);
  } catch {
    return; // No archive in this run (`config`); the startup notice explained a damaged one.
  }
  // An empty archive says nothing yet: the view keeps its "load" prompt.
  if (summary.totals.totalRecords > 0) await shown(summary);
}
