import { describe, expect, it } from "vitest";
import type { LiveUpdate, Session } from "./api";
import { createStore, groupLabel, INITIAL, isExpired, isUsable, latest, reduce, sameRows, waitingCustomers } from "./store";

function session(code: string, fields: Partial<Session> = {}): Session {
  return {
    code,
    state: "Open",
    groupId: "g1",
    groupName: "Support",
    description: null,
    customerName: null,
    customerEmail: null,
    waitingMessage: null,
    createdAt: "2026-11-24T14:00:00Z",
    validUntil: "2026-11-25T14:00:00Z",
    closedAt: null,
    online: false,
    assignedUserId: null,
    supporterLink: "https://start.teamviewer.com/x",
    webClientLink: null,
    endCustomerLink: null,
    isOpen: true,
    ...fields,
  };
}

const NOW = Date.parse("2026-11-24T15:00:00Z");
const run = (...updates: LiveUpdate[]) => updates.reduce(reduce, INITIAL);

describe("live store reducer", () => {
  it("keeps open sessions newest first and replaces changed ones", () => {
    const a = session("s1", { createdAt: "2026-11-24T10:00:00Z" });
    const b = session("s2", { createdAt: "2026-11-24T12:00:00Z" });
    let state = run({ type: "session_added", session: a }, { type: "session_added", session: b });
    expect(state.sessions.map((s) => s.code)).toEqual(["s2", "s1"]);
    state = reduce(state, { type: "customer_waiting", session: { ...a, online: true } });
    expect(state.sessions.map((s) => [s.code, s.online])).toEqual([["s2", false], ["s1", true]]);
    state = reduce(state, { type: "session_changed", session: { ...b, description: "VPN" }, fields: ["description"] });
    expect(latest(state, b).description).toBe("VPN");
  });

  it("removes a closed session and remembers it as closed", () => {
    const a = session("s1");
    const state = run({ type: "session_added", session: a }, { type: "session_removed", session: a });
    expect(state.sessions).toEqual([]);
    expect(isUsable(state, a, NOW), "a closed session offers no actions").toBe(false);
  });

  it("treats a session past validUntil, or reported expired, as expired", () => {
    const late = session("s1", { validUntil: "2026-11-24T14:30:00Z" });
    expect(isExpired(INITIAL, late, NOW), "by the clock").toBe(true);
    const fine = session("s2");
    expect(isExpired(INITIAL, fine, NOW)).toBe(false);
    const state = run({ type: "session_expired", session: fine });
    expect(isExpired(state, fine, NOW), "the core said so").toBe(true);
    expect(state.sessions.map((s) => s.code), "an expired session stays listed (the API keeps it open)").toEqual(["s2"]);
  });

  it("tells the views when only the status changed, so the rows are not rebuilt", () => {
    const listed = run({ type: "session_added", session: session("s1") });
    const refreshing = reduce(listed, { type: "status", status: { state: "refreshing", manual: false } });
    const updated = reduce(refreshing, { type: "status", status: { state: "ok", at: "2026-11-24T15:00:00Z" } });
    expect(sameRows(listed, refreshing), "refreshing changes no row").toBe(true);
    expect(sameRows(refreshing, updated), "a fresh 'updated at' changes no row").toBe(true);
    const changed = reduce(updated, { type: "session_changed", session: session("s1", { description: "VPN" }), fields: ["description"] });
    expect(sameRows(updated, changed), "a changed session is a changed row").toBe(false);
    const expired = reduce(changed, { type: "session_expired", session: session("s1", { description: "VPN" }) });
    expect(sameRows(changed, expired), "an expiry changes the row's state").toBe(false);
    const grouped = reduce(expired, { type: "groups_changed", groups: [{ id: "g1", name: "Support" }] });
    expect(sameRows(expired, grouped), "group names are shown in the rows").toBe(false);
  });

  it("keeps the last status while refreshing and resets on stopped", () => {
    const ok: LiveUpdate = { type: "status", status: { state: "ok", at: "2026-11-24T14:02:00Z" } };
    let state = run({ type: "session_added", session: session("s1") }, ok);
    state = reduce(state, { type: "status", status: { state: "refreshing", manual: false } });
    expect(state.status, "no flicker while refreshing").toEqual(ok.status);
    expect(state.refreshing).toBe(true);
    state = reduce(state, { type: "status", status: { state: "stopped" } });
    expect(state.sessions).toEqual([]);
    expect(state.status.state).toBe("stopped");
  });

  it("takes groups and snapshots whole", () => {
    const groups = [{ id: "g1", name: "Support" }, { id: "g2", name: "New group" }];
    let state = run({ type: "groups_changed", groups });
    expect(state.groups).toEqual(groups);
    state = reduce(state, {
      type: "snapshot",
      snapshot: { sessions: [session("s9"), session("s8", { isOpen: false, state: "Closed" })], waiting: [], groups: null, status: { state: "ok", at: "2026-11-24T14:05:00Z" } },
    });
    expect(state.sessions.map((s) => s.code), "only open sessions are kept").toEqual(["s9"]);
    expect(state.groups, "a snapshot without groups keeps the known ones").toEqual(groups);
  });

  it("tells subscribers about changes only", () => {
    const store = createStore();
    const seen: number[] = [];
    const stop = store.subscribe((s) => seen.push(s.sessions.length));
    store.apply({ type: "session_added", session: session("s1") });
    store.reset();
    stop();
    store.apply({ type: "session_added", session: session("s2") });
    expect(seen).toEqual([1, 0]);
  });

  it("lists waiting customers until they go offline or the session closes", () => {
    const waiting = (state: ReturnType<typeof run>) => waitingCustomers(state).map((s) => s.code);
    let state = run(
      { type: "session_added", session: session("s1") },
      { type: "customer_waiting", session: session("s2", { online: true, customerName: "Jörg Müller" }) },
      { type: "customer_waiting", session: session("s3", { online: true }) },
    );
    expect(waiting(state), "online customers of open sessions wait, offline ones don't").toEqual(["s2", "s3"]);
    state = reduce(state, { type: "customer_left", session: session("s2") });
    expect(waiting(state), "a customer going offline stops waiting").toEqual(["s3"]);
    state = reduce(state, { type: "session_removed", session: session("s3", { online: true }) });
    expect(waiting(state), "a closed session has no waiting customer").toEqual([]);
  });

  it("passes focusSession requests to the views that listen", () => {
    const store = createStore();
    const focused: string[] = [];
    const stop = store.onFocus((code) => focused.push(code));
    store.focusSession("s123-456-789");
    stop();
    store.focusSession("s000-000-000");
    expect(focused, "listeners hear focus requests until they unsubscribe").toEqual(["s123-456-789"]);
  });

  it("names a session's group from the known groups when the session carries only the id", () => {
    const bare = session("s1", { groupId: "g2", groupName: null });
    expect(groupLabel(INITIAL, bare), "before the groups are known the id is all there is").toBe("g2");
    const state = run({ type: "groups_changed", groups: [{ id: "g1", name: "Support" }, { id: "g2", name: "Straßenbau" }] });
    expect(groupLabel(state, bare), "the list and the detail show the group's name, not g2").toBe("Straßenbau");
    expect(groupLabel(state, session("s2", { groupId: "g2", groupName: "Own name" })), "a name the API sent wins").toBe("Own name");
    expect(groupLabel(state, session("s3", { groupId: null, groupName: null })), "no group").toBeNull();
  });

  it("keeps the insight's figures through a sign-out and a stopped live list (the archive is not the account's)", () => {
    const insight = { period: { from: "2026-11-01T00:00:00Z", to: null }, computing: false, archive: true, dashboard: null, error: null, ratesError: null };
    const store = createStore();
    store.apply({ type: "insight", state: insight });
    expect(store.get().insight, "the event's state is the store's").toBe(insight);
    store.apply({ type: "status", status: { state: "stopped" } });
    expect(store.get().insight, "a stopped live list keeps it").toBe(insight);
    store.reset();
    expect(store.get().insight, "so does a sign-out").toBe(insight);
  });

  it("passes openLog requests from the insight to the log view", () => {
    const store = createStore();
    const seen: unknown[] = [];
    const off = store.onOpenLog((r) => seen.push(r));
    store.openLog({ firstDay: "2026-11-02", lastDay: "2026-11-08", groupId: "g1" });
    off();
    store.openLog({ firstDay: "2026-11-09", lastDay: "2026-11-09" });
    expect(seen, "one request while listening, none after").toEqual([{ firstDay: "2026-11-02", lastDay: "2026-11-08", groupId: "g1" }]);
  });
});

describe("documentation in the store", () => {
  const list = {
    mode: "required" as const,
    sessions: [{ id: "r-1", customer: "Jörg Müller", devicename: null, sessionCode: null, start: null, end: "2026-11-24T09:00:00Z", seconds: 0 }],
  };

  it("holds the core's list and keeps it over a reset and a stopped live list (the core sends it empty)", () => {
    const store = createStore();
    store.apply({ type: "documentation", state: list });
    expect(store.get().documentation, "the core's list as sent").toEqual(list);
    store.apply({ type: "status", status: { state: "stopped" } });
    expect(store.get().documentation, "a stopped live list is not the documentation's business").toEqual(list);
    store.reset();
    expect(store.get().documentation, "a reset keeps it until the core says otherwise").toEqual(list);
    store.apply({ type: "documentation", state: { mode: "required", sessions: [] } });
    expect(store.get().documentation?.sessions).toEqual([]);
  });
});

describe("billing worklist in the store", () => {
  const worklist = {
    from: "2026-11-01T00:00:00Z",
    to: "2026-12-01T00:00:00Z",
    archive: true,
    connections: 3,
    customers: [],
    totals: [],
    billedCases: 2,
    periodCustomers: ["alice@example.com"],
    excluded: [],
    dropped: [],
    ratesProblem: null,
    error: null,
  };

  it("holds the latest worklist, and keeps it over a sign-out (it is the archive's, not the account's)", () => {
    const store = createStore();
    store.apply({ type: "billing_worklist", worklist });
    expect(store.get().billing).toBe(worklist);
    store.apply({ type: "status", status: { state: "stopped" } });
    expect(store.get().billing, "a stopped live list keeps the worklist").toBe(worklist);
    store.reset();
    expect(store.get().billing, "a sign-out keeps the worklist").toBe(worklist);
  });
});
