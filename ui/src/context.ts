// What the views need from the app shell.
import type { AuthStatus, Group } from "./api";

export type TabId = "sessions" | "logs" | "billing" | "insight" | "settings";

export interface AppContext {
  auth(): AuthStatus;
  /** Applies a new AuthStatus (from a command result or the `auth-changed` event). */
  setAuth(status: AuthStatus): void;
  /** Re-reads the AuthStatus (after settings change the mode, or a failed sign-in). */
  refreshAuth(): Promise<void>;
  showTab(tab: TabId): void;
  /** The shell dropped its loaded sessions and log (settings changed): views start over. */
  resetData(): void;
}

/** A view reacts to sign-in changes and to the group list (shared by sessions and logs). */
export interface View {
  readonly el: HTMLElement;
  onSignedIn?(): void;
  onSignedOut?(): void;
  setGroups?(groups: Group[]): void;
}
