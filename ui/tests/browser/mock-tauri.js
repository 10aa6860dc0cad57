// Injected with page.addInitScript before the app loads: a stand-in for the Tauri IPC bridge,
// shaped like @tauri-apps/api/mocks' mockIPC (window.__TAURI_INTERNALS__ with invoke,
// transformCallback, …; events through plugin:event|listen). It answers every command of
// docs/ipc.md with fixture data, records each call in window.__calls, lets the test emit
// events through window.__emit, and collects CSP violations in window.__csp.
// Configuration comes from window.__MOCK_CONFIG__ (set by an earlier init script).
(() => {
  const cfg = Object.assign(
    {
      signedIn: false,
      sandbox: true,
      memoryOnly: false,
      keyringAvailable: true,
      rowCount: 100000,
      pages: 5,
      pageDelayMs: 40,
      applyDelayMs: 0,
      language: "auto",
      startupError: null,
      // Records in the connection-log archive (0: no archive in this run).
      archivedRows: 0,
      // > 0: an archived period of more than 100 records shows its first screen (100 rows,
      // announced by a `logs-progress` event with `inView`) this long before the rest.
      firstScreenMs: 0,
      // What notification_status answers (the desktop shell's notifications).
      notificationState: { state: "allowed" },
      // End-of-session documentation: the setting and the sessions to document (signed in).
      documentationMode: "ask",
      undocumented: [],
      fail: {},
    },
    window.__MOCK_CONFIG__ || {},
  );

  // A language tag as WebKitGTK reports it under LANG=C ("c"), which Intl rejects.
  if (cfg.navigatorLanguage) Object.defineProperty(Navigator.prototype, "language", { get: () => cfg.navigatorLanguage, configurable: true });

  window.__csp = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__csp.push(`${e.violatedDirective} ${e.blockedURI || "inline"}`);
  });

  // ---- IPC plumbing ------------------------------------------------------------------------
  const calls = [];
  window.__calls = calls;
  const callbacks = new Map();
  const listeners = new Map();
  let nextCallback = 1;

  function transformCallback(callback, once) {
    const id = nextCallback++;
    callbacks.set(id, (data) => {
      if (once) callbacks.delete(id);
      return callback && callback(data);
    });
    return id;
  }

  function emit(event, payload) {
    for (const id of listeners.get(event) || []) {
      const cb = callbacks.get(id);
      if (cb) cb({ event, id, payload });
    }
  }
  window.__emit = emit;

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

  // ---- fixtures ----------------------------------------------------------------------------
  const account = { userid: "u1001", name: "Alex Supporter", email: "alex@example.com", companyName: "Example GmbH" };
  let auth = {
    signedIn: cfg.signedIn,
    kind: cfg.signedIn ? "oauth" : null,
    expiresAt: null,
    memoryOnly: cfg.memoryOnly,
    keyringAvailable: cfg.keyringAvailable,
    signInPending: false,
    sandbox: cfg.sandbox,
    oauthConfigured: true,
    account: cfg.signedIn ? account : null,
    signInAgain: false,
  };
  let settings = {
    mode: cfg.sandbox ? "sandbox" : "teamviewer",
    clientId: "",
    scriptTokenOnly: false,
    hasClientSecret: false,
    redirectMode: "deepLink",
    loopbackPort: 53682,
    apiUrl: "https://webapi.teamviewer.com/api/v1",
    loginUrl: "https://login.teamviewer.com",
    language: cfg.language,
    desktop: { notifications: true, closeAction: "ask", startAtLogin: false, startMinimised: false },
    archive: { autoSync: true, intervalMinutes: 15, overlapDays: 2 },
    live: { visibleSeconds: 30, hiddenSeconds: 120 },
    documentation: { mode: cfg.documentationMode },
  };
  // The sessions to document (the core's list; empty while signed out or off).
  let undocumented = clone(cfg.undocumented);
  const documentation = () => ({
    mode: settings.documentation.mode,
    sessions: auth.signedIn && settings.documentation.mode !== "off" ? clone(undocumented) : [],
  });
  const groups = [
    { id: "g1001", name: "Support" },
    { id: "g1002", name: "Field service" },
  ];
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  const NOW = Date.parse("2026-11-24T14:00:00Z");
  // Sessions are valid for 24 hours from the browser's real clock (the UI marks sessions past
  // validUntil as expired); `cfg.expiredSession` adds one already past it.
  const REAL_NOW = Date.now();
  let sessionCounter = 0;
  function makeSession(n, fields) {
    const code = `s${String(10 + n).padStart(2, "0")}-${String(100 + n * 7).slice(-3)}-${String(400 + n * 13).slice(-3)}`;
    return Object.assign(
      {
        code,
        state: "Open",
        groupId: "g1001",
        groupName: "Support",
        description: "",
        customerName: null,
        customerEmail: null,
        waitingMessage: null,
        createdAt: iso(NOW - n * 3600_000),
        validUntil: iso(REAL_NOW - n * 3600_000 + 24 * 3600_000),
        closedAt: null,
        online: null,
        assignedUserId: "u1001",
        supporterLink: `https://start.teamviewer.com/m${code}`,
        webClientLink: `https://web.teamviewer.com/join/${code}`,
        endCustomerLink: `https://get.teamviewer.com/s/${code}`,
        isOpen: true,
      },
      fields,
    );
  }
  let sessions = [
    makeSession(1, { customerName: "Jon Doe", customerEmail: "jon@example.com", description: "Printer offline", online: true }),
    makeSession(2, { assignedUserId: "u1002", customerName: 'Zoë "Quote" <b>O\'Brien</b>', customerEmail: "zoe@example.org", description: "=SUM(A1:A3)\nsecond line", online: false }),
    makeSession(3, { customerName: "Closed Customer", isOpen: false, state: "Closed", closedAt: iso(NOW - 3600_000) }),
  ];
  if (cfg.expiredSession) {
    sessions.push(makeSession(4, { customerName: "Late Customer", description: "Past its validity", validUntil: iso(REAL_NOW - 3600_000) }));
  }
  if (cfg.expiredSessions) {
    for (let i = 0; i < cfg.expiredSessions; i++) {
      sessions.push(makeSession(20 + i, { customerName: `Old Customer ${i + 1}`, validUntil: iso(REAL_NOW - (i + 1) * 3600_000) }));
    }
  }
  window.__makeSession = (n, fields) => makeSession(n, fields);
  const colleagues = cfg.colleagues ?? [
    { id: "u1001", name: "Alex Supporter", email: "alex@example.com" },
    { id: "u1002", name: "Bea Berger", email: "bea@example.com" },
    { id: "u1003", name: "Chris Chen", email: null },
  ];
  const replaceSession = (code, change) => {
    const old = sessions.find((s) => s.code === code);
    if (!old) throw { kind: "not_found", message: `no session ${code}` };
    if (!old.isOpen) throw { kind: "invalid_input", message: `session: session ${code} is closed and can no longer be changed` };
    const next = Object.assign({}, old, change);
    sessions = sessions.map((s) => (s.code === code ? next : s));
    return next;
  };

  // ---- connection log --------------------------------------------------------------------
  const USERS = ["Alex Supporter", "Bea Berger", "Chris Chen"];
  const TYPES = ["RemoteConnection", "RemoteSupportActive", "RemoteSupportActiveSdk"];
  const CUSTOMERS = ["Jon Doe", "Jane Roe", 'Zoë "Quote" <b>O\'Brien</b>', "=HYPERLINK(\"x\")", "Müller & Söhne"];
  const edits = new Map();
  const durationOf = (j) => ((j * 37) % 5400) + 60;
  const pad = (n) => String(n).padStart(2, "0");
  const hms = (s) => `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  function record(j) {
    const start = NOW - j * 300_000;
    const d = durationOf(j);
    const row = {
      id: `0000${j.toString(16).padStart(8, "0")}-aaaa-4bbb-8ccc-000000000000`,
      startDate: iso(start),
      endDate: iso(start + d * 1000),
      durationSeconds: String(d),
      duration: hms(d),
      userid: `u${1001 + (j % 3)}`,
      username: USERS[j % 3],
      deviceid: `d${100000 + ((j * 7) % 500)}`,
      devicename: `PC-${(j * 7) % 500}`,
      groupid: groups[j % 2].id,
      groupname: groups[j % 2].name,
      supportSessionType: TYPES[j % 3],
      sessionCode: `s${String(j).padStart(8, "0")}`,
      endCustomerName: CUSTOMERS[j % CUSTOMERS.length],
      endCustomerEmail: `customer${j % 97}@example.com`,
      // The API's three states, none, and one value outside them (the editor must keep it).
      billingState: ["Billed", "Bill", "DoNotBill", "", "Not billed"][j % 5],
      fee: j % 4 === 0 ? "" : ((j % 7) * 7.5).toFixed(2),
      currency: j % 4 === 0 ? "" : "EUR",
      notes: j % 5 === 0 ? `Record ${j + 1}\nsecond line` : "",
      contactId: "",
    };
    return Object.assign(row, edits.get(row.id) || {});
  }
  const FIELD = {
    id: "id",
    start_date: "startDate",
    end_date: "endDate",
    duration_seconds: "durationSeconds",
    userid: "userid",
    username: "username",
    deviceid: "deviceid",
    devicename: "devicename",
    groupid: "groupid",
    groupname: "groupname",
    support_session_type: "supportSessionType",
    session_code: "sessionCode",
    end_customer_name: "endCustomerName",
    end_customer_email: "endCustomerEmail",
    billing_state: "billingState",
    fee: "fee",
    currency: "currency",
    notes: "notes",
    contact_id: "contactId",
  };
  let loaded = 0;
  let view = null; // Int32Array of record numbers, or null = all loaded in default order
  let cancelRequested = false;
  let pagesDone = 0;
  const viewLength = () => (view ? view.length : loaded);
  const recordAt = (i) => (view ? view[i] : i);
  /** Rows `offset..offset+limit` of the view (limit capped at 2000, as in Rust). */
  function rowsOfView(offset, limit) {
    const out = [];
    const end = Math.min(viewLength(), offset + Math.min(limit, 2000));
    for (let i = offset; i < end; i++) out.push(Object.assign({ index: i }, record(recordAt(i))));
    return out;
  }

  function totals() {
    let sum = 0;
    const n = viewLength();
    for (let i = 0; i < n; i++) sum += durationOf(recordAt(i));
    return { count: n, totalRecords: loaded, durationSeconds: sum };
  }

  // The core's reading of filters (crates/core/src/logs/query.rs), simplified: words (a quoted
  // phrase is one), exact pick-list values, and duration comparisons in seconds/m/h.
  function words(text) {
    const out = [];
    const re = /"([^"]*)"?|(\S+)/g;
    let m;
    while ((m = re.exec(text))) {
      const w = (m[1] ?? m[2] ?? "").trim().toLowerCase();
      if (w && !out.includes(w)) out.push(w);
    }
    return out;
  }
  function durationTest(value) {
    const m = /^\s*(>=|<=|>|<|=)?\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/.exec(value);
    if (!m) return null;
    const n = Number(m[2]) * { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[3]];
    const op = m[1] || "=";
    return (d) => (op === ">" ? d > n : op === "<" ? d < n : op === ">=" ? d >= n : op === "<=" ? d <= n : d === n);
  }
  let unreadable = [];
  let choicesFor = -1;
  let choices = { billingStates: [], types: [], groups: [], users: [] };
  function currentChoices() {
    if (choicesFor === loaded) return choices;
    const sets = { billingStates: new Set(), types: new Set(), groups: new Set(), users: new Set() };
    for (let j = 0; j < Math.min(loaded, 100); j++) {
      const r = record(j);
      if (r.billingState) sets.billingStates.add(r.billingState);
      sets.types.add(r.supportSessionType);
      sets.groups.add(r.groupname);
      sets.users.add(r.username);
    }
    choices = Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, [...v].sort((a, b) => a.localeCompare(b))]));
    choicesFor = loaded;
    return choices;
  }
  /** The archive's sync as the core reports it (idle, synced at NOW, when there is an archive). */
  function syncStatus() {
    return {
      state: cfg.archivedRows ? "idle" : "unavailable",
      received: 0,
      remaining: 0,
      lastSync: cfg.archivedRows ? iso(NOW) : null,
      lastNew: 3,
      lastUpdated: 1,
      total: cfg.archivedRows || 0,
      error: null,
      pendingEdits: 0,
      pendingIds: [],
      budgetExhausted: false,
    };
  }
  // ---- insight (the core's Dashboard for a period, made up deterministically) --------------
  const ymd = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  function isoWeek(d) {
    const t = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
    const day = t.getUTCDay() || 7;
    t.setUTCDate(t.getUTCDate() + 4 - day);
    const year = t.getUTCFullYear();
    const week = Math.ceil(((t - Date.UTC(year, 0, 1)) / 86400000 + 1) / 7);
    return `${year}-W${String(week).padStart(2, "0")}`;
  }
  function dashboard(period) {
    const from = new Date(period.from);
    const to = new Date(period.to ? Date.parse(period.to) : Date.now());
    const empty = cfg.insightEmpty === true;
    const byDay = [];
    for (let d = new Date(from.getFullYear(), from.getMonth(), from.getDate()), i = 0; d < to; d = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1), i++) {
      const connections = empty ? 0 : ((i * 7) % 11) + 2;
      byDay.push({ key: ymd(d), firstDay: ymd(d), lastDay: ymd(d), connections, seconds: connections * (900 + (i % 5) * 300) });
    }
    const byWeek = [];
    for (const day of byDay) {
      const [y, m, dd] = day.firstDay.split("-").map(Number);
      const key = isoWeek(new Date(y, m - 1, dd));
      const last = byWeek[byWeek.length - 1];
      if (last && last.key === key) {
        last.lastDay = day.lastDay;
        last.connections += day.connections;
        last.seconds += day.seconds;
      } else byWeek.push(Object.assign({}, day, { key }));
    }
    const connections = byDay.reduce((n, d) => n + d.connections, 0);
    const seconds = byDay.reduce((n, d) => n + d.seconds, 0);
    const share = (k) => Math.round(seconds * k);
    const users = [
      ["u1001", "Alex Supporter", 0.4],
      ["u1002", "Maximilian Mustermann-Schwarzenberger", 0.3],
      ["u1003", "Jörg Müller", 0.2],
      [null, null, 0.1],
    ];
    const customers = ["anna@kunde.de", "Bäckerei Schmidt", "PC-BUCHHALTUNG-07", "info@example.com", "Zahnarztpraxis Dr. Weiß", "1234567890", "max@firma.de", "Stadtwerke Nord", "lea@example.org", "Kanzlei Berg & Partner"];
    return {
      from: new Date(from.getFullYear(), from.getMonth(), from.getDate()).toISOString(),
      to: to.toISOString(),
      connections,
      seconds,
      running: empty ? 0 : 2,
      averageSeconds: connections ? Math.floor(seconds / connections) : null,
      byDay,
      byWeek,
      byUser: empty ? [] : users.map(([userid, username, k], i) => ({ userid, username, connections: Math.round(connections * k) || i + 1, seconds: share(k) })),
      byGroup: empty ? [] : [
        { groupid: "g100001", groupname: "Customers", connections: Math.round(connections * 0.6), seconds: share(0.6) },
        { groupid: "g100002", groupname: "Premium", connections: Math.round(connections * 0.3), seconds: share(0.3) },
        { groupid: null, groupname: null, connections: Math.round(connections * 0.1), seconds: share(0.1) },
      ],
      topCustomers: empty ? [] : customers.map((customer, i) => ({ customer, connections: 12 - i, seconds: share(0.15 - i * 0.012) })),
      otherCustomers: empty ? { customers: 0, connections: 0, seconds: 0 } : { customers: 23, connections: 41, seconds: share(0.12) },
      amounts: empty ? [] : [
        { currency: "EUR", billed: "1234.50", unbilled: "567.25", billedCases: 14, unbilledCases: 6 },
        { currency: "CHF", billed: "0.00", unbilled: "180.00", billedCases: 0, unbilledCases: 2 },
      ],
      durations: [0, 300, 900, 1800, 3600, 7200].map((min, i, all) => ({ minSeconds: min, maxSeconds: all[i + 1] ?? null, connections: empty ? 0 : [9, 21, 17, 11, 5, 2][i] })),
    };
  }
  let insightState = { period: null, computing: false, archive: cfg.archivedRows > 0 || cfg.insightArchive === true, dashboard: null, error: null, ratesError: cfg.insightRatesError || null };

  // A date as the grid shows it, from the view's `times` (as crates/core/src/logs/times.rs
  // renders it): the parts in order, numbers two-digit (the year four), local time or UTC.
  function shownDate(iso, times) {
    const d = new Date(iso);
    const pad = (n) => String(n).padStart(2, "0");
    const u = times.utc;
    const num = {
      day: () => pad(u ? d.getUTCDate() : d.getDate()),
      month: () => pad((u ? d.getUTCMonth() : d.getMonth()) + 1),
      year: () => String(u ? d.getUTCFullYear() : d.getFullYear()),
      hour: () => pad(u ? d.getUTCHours() : d.getHours()),
      minute: () => pad(u ? d.getUTCMinutes() : d.getMinutes()),
    };
    return times.parts.map((p) => (p.type === "literal" ? p.value : num[p.type]())).join("").toLowerCase();
  }

  function applyView(v) {
    const text = words(v.text || "");
    const cols = [];
    unreadable = [];
    for (const c of (v.columns || []).filter((c) => c.value.trim())) {
      if (c.column === "duration_seconds" && !c.exact) {
        const test = durationTest(c.value);
        if (test) cols.push((j, r) => test(durationOf(j)));
        else unreadable.push(c.column);
      } else if (c.exact) {
        cols.push((j, r) => String(r[FIELD[c.column]]).toLowerCase() === c.value.trim().toLowerCase());
      } else if ((c.column === "start_date" || c.column === "end_date") && v.times?.parts?.length) {
        const ws = words(c.value);
        cols.push((j, r) => r[FIELD[c.column]] !== "" && ws.every((w) => shownDate(r[FIELD[c.column]], v.times).includes(w)));
      } else {
        const ws = words(c.value);
        cols.push((j, r) => ws.every((w) => String(r[FIELD[c.column]]).toLowerCase().includes(w)));
      }
    }
    if (!text.length && !cols.length && !v.sort) {
      view = null;
      return totals();
    }
    const keep = [];
    for (let j = 0; j < loaded; j++) {
      const r = record(j);
      if (text.length) {
        const hay = `${r.id} ${r.username} ${r.devicename} ${r.groupname} ${r.sessionCode} ${r.endCustomerName} ${r.endCustomerEmail} ${r.notes} ${r.billingState}`.toLowerCase();
        if (!text.every((w) => hay.includes(w))) continue;
      }
      if (cols.some((test) => !test(j, r))) continue;
      keep.push(j);
    }
    if (v.sort) {
      const f = FIELD[v.sort.column];
      const numeric = v.sort.column === "duration_seconds";
      const key = (j) => (numeric ? durationOf(j) : record(j)[f]);
      const dir = v.sort.descending ? -1 : 1;
      keep.sort((a, b) => {
        const x = key(a);
        const y = key(b);
        return (x < y ? -1 : x > y ? 1 : a - b) * dir;
      });
    }
    view = Int32Array.from(keep);
    return totals();
  }

  async function page(remainingPages) {
    const total = cfg.rowCount;
    for (let p = 0; p < remainingPages; p++) {
      await sleep(cfg.pageDelayMs);
      if (cancelRequested) {
        cancelRequested = false;
        return summary(true, { kind: "cancelled", message: "loading was cancelled" });
      }
      pagesDone++;
      loaded = Math.min(total, Math.round((total * pagesDone) / cfg.pages));
      emit("logs-progress", progress());
    }
    return summary(false, null);
  }
  const progress = () => ({ pages: pagesDone, records: loaded, recordsRemaining: cfg.rowCount - loaded, complete: loaded >= cfg.rowCount });
  function summary(incomplete, error) {
    view = null;
    return { totals: totals(), progress: progress(), incomplete, error };
  }


  // ---- billing -------------------------------------------------------------------------------
  // A worklist of November 2026 as the core computes it (crates/core/src/desk/billing.rs), kept
  // as connections so that Mark billed, merge and split change it as the core would (amounts of
  // merged or split cases are summed here, which is enough for the view's tests).
  // `cfg.billing`: "none" (no archive), "allBilled", "allExcluded", "empty"; `cfg.failMark`:
  // connection ids whose first Mark billed fails with a server error.
  const billingFailOnce = new Set(cfg.failMark || []);
  const billed = new Set();
  let billingRates = {
    rates: {
      mergeWithinMinutes: 10,
      default: { name: "Standard", hourlyRate: "90.00", currency: "EUR", baseFee: "0.00", minimumMinutes: 15, incrementMinutes: 15, freeUnderSeconds: 60 },
      groups: [],
    },
    fromFile: false,
    problem: cfg.ratesProblem ? { kind: "invalid_input", message: "rates.toml: [default] hourly_rate: expected a decimal string" } : null,
  };
  const conn = (id, start, minutes) => ({ id, start, end: iso(Date.parse(start) + minutes * 60_000), billed: false });
  let billingCases = [
    { key: "a1", customer: "alice@example.com", connections: [conn("a1", "2026-11-03T09:00:00Z", 20), conn("a2", "2026-11-03T09:25:00Z", 15)], billableSeconds: 2100, billableMinutes: 45, rateName: "Standard", hourlyRate: "90.00", baseFee: "0.00", currency: "EUR", amount: "67.50", manual: false },
    { key: "a3", customer: "alice@example.com", connections: [conn("a3", "2026-11-10T14:00:00Z", 50)], billableSeconds: 3000, billableMinutes: 60, rateName: "Standard", hourlyRate: "90.00", baseFee: "0.00", currency: "EUR", amount: "90.00", manual: false },
    { key: "b1", customer: "Bob Builder", connections: [conn("b1", "2026-11-05T10:00:00Z", 10)], billableSeconds: 600, billableMinutes: 30, rateName: "Premium", hourlyRate: "120.00", baseFee: "5.00", currency: "EUR", amount: "65.00", manual: false },
    { key: "m1", customer: "Müller & Söhne GmbH, Abteilung Fernwartung und Netzwerkbetreuung", connections: [conn("m1", "2026-11-18T13:00:00Z", 95)], billableSeconds: 5700, billableMinutes: 105, rateName: "Swiss support", hourlyRate: "150.00", baseFee: "10.00", currency: "CHF", amount: "272.50", manual: false },
  ];
  // `cfg.billingCases`: that many more single-connection cases, over customers of 6 cases each
  // (a busy month: the real sandbox's 10,000 records give about 2,200 cases).
  for (let i = 0; i < (cfg.billingCases || 0); i++) {
    const start = iso(Date.parse("2026-11-01T08:00:00Z") + i * 900_000);
    billingCases.push({ key: `n${i}`, customer: `customer${String(Math.floor(i / 6)).padStart(4, "0")}@example.com`, connections: [conn(`n${i}`, start, 20)], billableSeconds: 1200, billableMinutes: 30, rateName: "Standard", hourlyRate: "90.00", baseFee: "0.00", currency: "EUR", amount: "45.00", manual: false });
  }
  if (cfg.billing === "allBilled") for (const c of billingCases) for (const x of c.connections) billed.add(x.id);
  if (cfg.billing === "allExcluded" || cfg.billing === "empty" || cfg.billing === "none") billingCases = [];
  const billingExcluded =
    cfg.billing === "empty"
      ? []
      : [
          { id: "b2", customer: "Bob Builder", start: "2026-11-20T08:00:00Z", seconds: 30, reason: "free" },
          { id: "c2", customer: "carol@example.com", start: "2026-11-08T11:00:00Z", seconds: 3600, reason: "not_billable" },
          { id: "d1", customer: "dave-pc", start: "2026-11-12T09:00:00Z", seconds: 0, reason: "running" },
        ];
  let billingPeriod = null;
  let markCancelled = false;
  const cents = (s) => Math.round(Number(s) * 100);
  const money = (c) => (c / 100).toFixed(2);
  function moneyTotals(cases) {
    const sums = new Map();
    for (const c of cases) sums.set(c.currency, (sums.get(c.currency) || 0) + cents(c.amount));
    return [...sums.keys()].sort().map((currency) => ({ currency, amount: money(sums.get(currency)) }));
  }
  function worklist() {
    const cases = billingCases.map((c) => {
      const connections = c.connections.map((x) => Object.assign({}, x, { billed: billed.has(x.id) }));
      const ends = connections.map((x) => x.end).sort();
      return Object.assign({}, c, { start: connections[0].start, end: ends[ends.length - 1], connections, unbilledIds: connections.filter((x) => !x.billed).map((x) => x.id) });
    });
    const open = cases.filter((c) => c.unbilledIds.length);
    const names = [...new Set(open.map((c) => c.customer))].sort();
    return {
      from: billingPeriod.from,
      to: billingPeriod.to,
      archive: cfg.billing !== "none",
      connections: cfg.billing === "empty" || cfg.billing === "none" ? 0 : 9,
      customers: names.map((customer) => {
        const cs = open.filter((c) => c.customer === customer);
        return { customer, cases: cs, totals: moneyTotals(cs) };
      }),
      totals: moneyTotals(open),
      billedCases: cases.length - open.length,
      periodCustomers: [...new Set(cases.map((c) => c.customer))].sort(),
      excluded: cfg.billing === "none" ? [] : billingExcluded,
      dropped: [],
      ratesProblem: billingRates.problem,
      error: null,
    };
  }
  function publishWorklist() {
    const w = worklist();
    emit("billing-worklist", clone(w));
    return w;
  }
  const billingHandlers = {
    billing_rates: () => billingRates,
    save_billing_rates: ({ rates }) => {
      if (!/^\d+(\.\d+)?$/.test(rates.default.hourlyRate)) throw { kind: "invalid_input", message: "default hourly rate: not a decimal" };
      billingRates = { rates, fromFile: true, problem: null };
      return billingRates;
    },
    billing_worklist: ({ from, to }) => {
      billingPeriod = { from: from || "2026-11-01T00:00:00Z", to: to || "2026-12-01T00:00:00Z" };
      return worklist();
    },
    change_billing_cases: ({ change }) => {
      const find = (id) => billingCases.findIndex((c) => c.connections.some((x) => x.id === id));
      if (change.op === "merge") {
        const a = find(change.first);
        const b = find(change.second);
        if (a < 0 || b < 0 || a === b) throw { kind: "invalid_input", message: "merge: the two connections are one case already" };
        const merged = Object.assign({}, billingCases[a], {
          connections: [...billingCases[a].connections, ...billingCases[b].connections].sort((x, y) => (x.start < y.start ? -1 : 1)),
          amount: money(cents(billingCases[a].amount) + cents(billingCases[b].amount)),
          billableMinutes: billingCases[a].billableMinutes + billingCases[b].billableMinutes,
          manual: true,
        });
        billingCases = billingCases.filter((_, i) => i !== a && i !== b).concat([merged]).sort((x, y) => (x.customer + x.connections[0].start < y.customer + y.connections[0].start ? -1 : 1));
      } else {
        const a = find(change.before);
        if (a < 0) throw { kind: "invalid_input", message: "case: no case of this period holds this connection" };
        const c = billingCases[a];
        const cut = c.connections.findIndex((x) => x.id === change.before);
        if (cut === 0) throw { kind: "invalid_input", message: "split: this connection opens its case already" };
        const head = Object.assign({}, c, { connections: c.connections.slice(0, cut), manual: true });
        const tail = Object.assign({}, c, { key: change.before, connections: c.connections.slice(cut), manual: true });
        billingCases.splice(a, 1, head, tail);
      }
      return publishWorklist();
    },
    reset_billing_case: () => publishWorklist(),
    mark_billed: async ({ ids }) => {
      const marked = [];
      const failed = [];
      markCancelled = false;
      for (const id of ids) {
        await sleep(cfg.markDelayMs ?? 20);
        if (markCancelled) {
          // As the core: what was not sent is listed, to be retried.
          const c = billingCases.find((x) => x.connections.some((y) => y.id === id));
          failed.push({ id, customer: c ? c.customer : "", error: { kind: "cancelled", message: "not sent: marking billed was cancelled" } });
          continue;
        }
        if (billingFailOnce.has(id)) {
          billingFailOnce.delete(id);
          const c = billingCases.find((x) => x.connections.some((y) => y.id === id));
          failed.push({ id, customer: c ? c.customer : "", error: { kind: "server", message: "HTTP 500 Internal Server Error" } });
        } else {
          billed.add(id);
          marked.push(id);
        }
        emit("billing-mark-progress", { done: marked.length + failed.length, total: ids.length, failed: failed.length });
      }
      publishWorklist();
      return { marked, failed };
    },
    cancel_mark_billed: () => {
      markCancelled = true;
      return null;
    },
    export_invoice: ({ customer, format }) => ({
      path: `/home/alex/Documents/invoice-lines.${format}`,
      rows: billingCases.filter((c) => customer === null || c.customer === customer).length,
    }),
  };

  // ---- command handlers ------------------------------------------------------------------
  function signedInAs(kind) {
    auth = Object.assign({}, auth, { signedIn: true, kind, signInPending: false, account });
    return auth;
  }
  function requireSignIn() {
    if (!auth.signedIn) throw { kind: "not_signed_in", message: "sign in first" };
  }

  const handlers = {
    app_ready: () => cfg.startupError || null,
    // Like the core: sandbox and OAuth availability follow the saved settings.
    auth_status: () =>
      (auth = Object.assign({}, auth, {
        sandbox: settings.mode === "sandbox",
        oauthConfigured: settings.mode === "sandbox" || !settings.scriptTokenOnly,
      })),
    sign_in: () => (auth = Object.assign({}, auth, { signInPending: true })),
    cancel_sign_in: () => (auth = Object.assign({}, auth, { signInPending: false })),
    sign_in_with_script_token: ({ token }) => {
      if (token === "bad-token") throw { kind: "unauthorized", message: "the token was rejected by /ping" };
      return signedInAs("script");
    },
    sign_out: () => (auth = Object.assign({}, auth, { signedIn: false, kind: null, account: null })),
    list_groups: () => (requireSignIn(), groups),
    create_session: ({ form }) => {
      requireSignIn();
      sessionCounter++;
      const group = groups.find((g) => g.id === form.groupId) || { id: "g9999", name: form.groupName };
      const s = makeSession(40 + sessionCounter, {
        createdAt: iso(NOW + sessionCounter * 1000),
        validUntil: iso(REAL_NOW + sessionCounter * 1000 + 24 * 3600_000),
        groupId: group.id,
        groupName: group.name,
        description: form.description,
        customerName: form.customerName || null,
        customerEmail: form.customerEmail || null,
        waitingMessage: form.waitingMessage || null,
      });
      sessions = [s, ...sessions];
      return s;
    },
    list_sessions: ({ state }) =>
      sessions.filter((s) => state === "all" || (state === "open") === s.isOpen),
    close_session: ({ code }) => {
      sessions = sessions.map((s) => (s.code === code ? Object.assign({}, s, { isOpen: false, state: "Closed" }) : s));
      return sessions.filter((s) => s.isOpen);
    },
    live_snapshot: () =>
      auth.signedIn
        ? { sessions: sessions.filter((s) => s.isOpen), groups, status: { state: "ok", at: iso(NOW + 120_000) } }
        : { sessions: [], waiting: [], groups: null, status: { state: "stopped" } },
    refresh_sessions: () => null,
    edit_session: ({ code, edit }) => {
      const change = {};
      for (const k of ["description", "customerName", "customerEmail", "waitingMessage"]) {
        if (edit[k] !== null && edit[k] !== undefined) change[k] = edit[k].trim() || null;
      }
      if (change.customerEmail && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(change.customerEmail)) {
        throw { kind: "invalid_input", message: "customer e-mail: enter an address like name@example.com" };
      }
      return replaceSession(code, change);
    },
    assign_session: ({ code, userId }) => replaceSession(code, { assignedUserId: userId === "u0" ? null : userId }),
    list_users: () => colleagues,
    close_sessions: ({ codes }) =>
      codes.map((code) => {
        if ((cfg.failClose || []).includes(code)) return { code, error: { kind: "server", message: "HTTP 500" } };
        sessions = sessions.map((s) => (s.code === code ? Object.assign({}, s, { isOpen: false, state: "Closed" }) : s));
        return { code, error: null };
      }),
    copy_invitation_text: () => null,
    copy_session_code: () => null,
    open_session_link: () => null,
    copy_session_link: () => null,
    copy_session_code: ({ code }) => {
      if (!sessions.some((s) => s.code === code)) throw { kind: "not_found", message: `session ${code} is not in the session list` };
      return null;
    },
    load_logs: async () => {
      requireSignIn();
      loaded = 0;
      pagesDone = 0;
      view = null;
      cancelRequested = false;
      return page(cfg.pages);
    },
    load_archived_logs: async ({ firstScreen }) => {
      if (!cfg.archivedRows) throw { kind: "config", message: "the connection-log archive is not open" };
      pagesDone = 0;
      view = null;
      if (firstScreen && cfg.firstScreenMs > 0 && cfg.archivedRows > 100) {
        loaded = 100;
        emit("logs-progress", { pages: 0, records: 100, recordsRemaining: cfg.archivedRows - 100, complete: false, inView: 100 });
        await sleep(cfg.firstScreenMs);
        view = null;
      }
      loaded = cfg.archivedRows;
      return { totals: totals(), progress: { pages: 0, records: loaded, recordsRemaining: 0, complete: true, inView: loaded }, incomplete: false, error: null };
    },
    cancel_logs: () => {
      cancelRequested = true;
      return null;
    },
    resume_logs: async () => page(cfg.pages - pagesDone),
    apply_log_view: async ({ view: v, offset, limit }) => {
      if (!Number.isInteger(offset) || !Number.isInteger(limit)) throw { kind: "invalid_input", message: "offset and limit are required" };
      // The real filter runs in Rust, off the page's thread: answer in a later task.
      await sleep(cfg.applyDelayMs);
      const totals = applyView(v);
      return { totals, offset, rows: rowsOfView(offset, limit), unreadable, choices: currentChoices() };
    },
    log_rows: ({ offset, limit }) => rowsOfView(offset, limit),
    export_logs: () => ({ path: "/home/alex/Documents/connections 2026-11-24.csv", rows: viewLength() }),
    log_ticket_text: () => null,
    update_log_record: ({ id, notes, billingState }) => {
      edits.set(id, { notes, billingState });
      for (let j = 0; j < loaded; j++) {
        const r = record(j);
        if (r.id === id) return Object.assign({ index: 0 }, r);
      }
      throw { kind: "not_found", message: `no record ${id}` };
    },
    get_settings: () => settings,
    archive_sync_status: () => syncStatus(),
    insight: async ({ period }) => {
      if (period.to && Date.parse(period.to) < Date.parse(period.from)) throw { kind: "invalid_input", message: "period: ends before it starts" };
      insightState = Object.assign({}, insightState, { period, computing: true });
      emit("insight", clone(insightState));
      await sleep(cfg.insightDelayMs || 0);
      insightState = Object.assign({}, insightState, { computing: false, dashboard: insightState.archive ? dashboard(period) : null });
      emit("insight", clone(insightState));
      return insightState;
    },
    insight_state: () => insightState,
    archive_problem: () => cfg.archiveProblem || null,
    rebuild_archive: () => {
      if (!cfg.archiveProblem?.canRebuild) throw { kind: "invalid_input", message: "archive: the archive is not damaged" };
      return { movedTo: "/home/alex/.local/share/dev.supporterdesk.desk/archive.sqlite3.damaged-20261205T140102Z" };
    },
    sync_archive: () => syncStatus(),
    cancel_archive_sync: () => null,
    notification_status: () => (settings.desktop.notifications ? cfg.notificationState : { state: "off" }),
    close_window: () => null,
    documentation_state: () => documentation(),
    document_session: ({ id, notes, ticket }) => {
      if (!notes.trim() && !ticket.trim()) throw { kind: "invalid_input", message: "notes: write what was done in the session, or give a ticket number" };
      if (!undocumented.some((s) => s.id === id)) throw { kind: "not_found", message: `connection report ${id} is not on the list of sessions to document` };
      undocumented = undocumented.filter((s) => s.id !== id);
      const state = documentation();
      setTimeout(() => emit("documentation", state), 0);
      return state;
    },
    skip_documentation: ({ id }) => {
      if (settings.documentation.mode === "required") throw { kind: "invalid_input", message: "skip: documentation is required: every session needs its notes" };
      undocumented = undocumented.filter((s) => s.id !== id);
      const state = documentation();
      setTimeout(() => emit("documentation", state), 0);
      return state;
    },
    save_settings: ({ settings: s, clientSecret }) => {
      if (s.mode === "teamviewer" && !s.scriptTokenOnly && !s.clientId.trim())
        throw { kind: "invalid_input", message: 'client ID: enter the client ID of your TeamViewer app, choose "script token only", or use the sandbox' };
      const has = clientSecret === null ? settings.hasClientSecret : clientSecret !== "";
      settings = Object.assign({}, s, { hasClientSecret: has });
      return settings;
    },
  };

  async function invoke(cmd, args) {
    calls.push({ cmd, args: clone(args || {}) });
    if (cmd === "plugin:event|listen") {
      if (!listeners.has(args.event)) listeners.set(args.event, []);
      listeners.get(args.event).push(args.handler);
      return args.handler;
    }
    if (cmd === "plugin:event|unlisten") return null;
    const failure = cfg.fail[cmd];
    if (failure) throw failure;
    const handler = handlers[cmd] || billingHandlers[cmd];
    if (!handler) throw `Command ${cmd} not found`;
    return clone(await handler(args || {}));
  }

  window.__TAURI_INTERNALS__ = {
    invoke,
    transformCallback,
    unregisterCallback: (id) => callbacks.delete(id),
    runCallback: (id, data) => callbacks.get(id) && callbacks.get(id)(data),
    callbacks,
    metadata: { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } },
  };
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = {
    unregisterListener: (event, id) => {
      const ids = listeners.get(event) || [];
      const i = ids.indexOf(id);
      if (i >= 0) ids.splice(i, 1);
      callbacks.delete(id);
    },
  };
  window.__mock = { cfg, handlers };
})();
