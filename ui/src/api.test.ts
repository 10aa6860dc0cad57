import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import * as api from "./api";

afterEach(() => clearMocks());

describe("api.ts wrappers", () => {
  it("passes camelCase arguments and returns the typed result", async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "open_session_link") return null;
      if (cmd === "log_rows") return [];
      return undefined;
    });
    await api.openSessionLink("s12-345-678", "supporter");
    await api.logRows(200, 100);
    await api.updateLogRecord("r1", "note", "Billed").catch(() => undefined);
    expect(calls[0], "the contract's argument names").toEqual(["open_session_link", { code: "s12-345-678", link: "supporter" }]);
    expect(calls[1], "offset/limit").toEqual(["log_rows", { offset: 200, limit: 100 }]);
    expect(calls[2], "billingState is camelCase on the wire").toEqual(["update_log_record", { id: "r1", notes: "note", billingState: "Billed" }]);
  });

  it("passes an IpcError from a command through unchanged", async () => {
    mockIPC(() => {
      throw { kind: "license_limit", message: "too many sessions" };
    });
    await expect(api.createSession({} as api.NewSessionForm), "kind and message survive").rejects.toEqual({
      kind: "license_limit",
      message: "too many sessions",
    });
  });

  it("turns a plain string rejection (missing command, denied permission) into kind unknown", async () => {
    mockIPC(() => {
      throw "Command list_groups not found";
    });
    await expect(api.listGroups(), "Tauri's own errors are strings").rejects.toEqual({
      kind: "unknown",
      message: "Command list_groups not found",
    });
  });

  it("keeps a kind newer than this UI visible in the message", async () => {
    mockIPC(() => {
      throw { kind: "quota", message: "over quota" };
    });
    await expect(api.authStatus(), "unknown kinds fall back without losing information").rejects.toEqual({
      kind: "unknown",
      message: "quota: over quota",
    });
  });

  it("normalises Error objects and odd values", () => {
    expect(api.toIpcError(new Error("boom")), "Error → message").toEqual({ kind: "unknown", message: "boom" });
    expect(api.toIpcError({ kind: "io" }), "missing message becomes empty").toEqual({ kind: "io", message: "" });
    expect(api.toIpcError(42), "anything else is stringified").toEqual({ kind: "unknown", message: "42" });
    expect(api.toIpcError(null), "null").toEqual({ kind: "unknown", message: "null" });
  });

  it("app_ready never throws, even when the shell lacks the command", async () => {
    mockIPC(() => {
      throw "Command app_ready not found";
    });
    await expect(api.appReady(), "startup must not fail on an older shell; nothing to report").resolves.toBeNull();
  });

  it("app_ready hands back a start-up problem to show", async () => {
    mockIPC(() => ({ kind: "config", message: "settings file is damaged" }));
    await expect(api.appReady(), "the shell reports what went wrong at start-up").resolves.toEqual({
      kind: "config",
      message: "settings file is damaged",
    });
  });

  it("delivers event payloads to listeners", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const seen: api.FetchProgress[] = [];
    const unlisten = await api.onLogsProgress((p) => seen.push(p));
    const { emit } = await import("@tauri-apps/api/event");
    const progress = { pages: 2, records: 2000, recordsRemaining: 500, complete: false };
    await emit("logs-progress", progress);
    expect(seen, "the handler gets the payload, not the event envelope").toEqual([progress]);
    unlisten();
  });

  it("normalises a sign-in-failed payload", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const seen: api.IpcError[] = [];
    await api.onSignInFailed((e) => seen.push(e));
    const { emit } = await import("@tauri-apps/api/event");
    await emit("sign-in-failed", { kind: "callback_rejected", message: "state mismatch" });
    expect(seen, "the error arrives as an IpcError").toEqual([{ kind: "callback_rejected", message: "state mismatch" }]);
  });
});
