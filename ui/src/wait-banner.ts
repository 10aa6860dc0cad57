// The wait banner (`#wait-banner`): while an API call waits before its next attempt (TeamViewer's
// rate limit, or a server or network failure; the core decides which waits are worth showing),
// one plain sentence with a live countdown. It never blocks anything and has no button: it goes
// away by itself when the call ends (`api-wait-over`: answer or error) or the wait elapses.
import type { ApiWait, ApiWaitOver } from "./api";
import { h, setText, show } from "./dom";
import { onLanguageChange, t } from "./i18n";

/** How often the countdown is redrawn (the text changes once a second; this keeps it on time). */
const TICK_MS = 250;

/** "45 s", "2 min", "1 min 30 s" in the current language, from whole seconds. */
export function formatWaitTime(seconds: number): string {
  const total = Math.max(0, Math.ceil(seconds));
  const m = Math.floor(total / 60);
  const s = total % 60;
  if (m === 0) return t("wait.seconds", { s });
  return s === 0 ? t("wait.minutes", { m }) : t("wait.minutesSeconds", { m, s });
}

/** The sentence for `wait` with `secondsLeft` to go. */
export function waitText(wait: ApiWait, secondsLeft: number): string {
  const time = formatWaitTime(secondsLeft);
  switch (wait.reason) {
    case "rate_limit":
      return t("wait.rateLimit", { time, attempt: wait.attempt });
    case "server":
      return t("wait.server", { time });
    case "network":
      return t("wait.network", { time });
  }
}

/** Whole seconds from `now` to `deadline` (both ms), rounded up, never negative. */
export function secondsLeft(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

export interface WaitBanner {
  el: HTMLElement;
  /** An `api-wait` event: show it (the newest wait wins while several calls wait). */
  wait(wait: ApiWait): void;
  /** An `api-wait-over` event: that call has its answer; forget its wait. */
  over(over: ApiWaitOver): void;
}

/**
 * The banner. The countdown runs from when the event arrived (`seconds` later), on `now`, so it
 * does not depend on the two clocks agreeing; `until` is what the core computed, for logs.
 */
export function createWaitBanner(now: () => number = () => Date.now()): WaitBanner {
  // The visible text ticks every second; screen readers get the sentence once per wait.
  const visible = h("span", { class: "banner-text wait-text", attrs: { "aria-hidden": "true" } });
  const spoken = h("span", { class: "sr-only" });
  const el = h(
    "div",
    { id: "wait-banner", class: "banner banner-warn banner-wait", hidden: true, attrs: { role: "status" } },
    visible,
    spoken,
  );
  // Insertion order: the last entry is the newest wait.
  const waits = new Map<number, { wait: ApiWait; deadline: number }>();
  let timer: ReturnType<typeof setInterval> | undefined;

  function newest(): { wait: ApiWait; deadline: number } | undefined {
    let last: { wait: ApiWait; deadline: number } | undefined;
    for (const entry of waits.values()) last = entry;
    return last;
  }

  function render(): void {
    const at = now();
    for (const [call, entry] of waits) {
      if (secondsLeft(entry.deadline, at) === 0) waits.delete(call);
    }
    const current = newest();
    if (!current) {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      setText(visible, "");
      setText(spoken, "");
      show(el, false);
      return;
    }
    el.dataset.reason = current.wait.reason;
    setText(visible, waitText(current.wait, secondsLeft(current.deadline, at)));
    show(el, true);
  }

  function announce(): void {
    const current = newest();
    setText(spoken, current ? waitText(current.wait, secondsLeft(current.deadline, now())) : "");
  }

  onLanguageChange(() => {
    render();
    announce();
  });

  return {
    el,
    wait(wait) {
      waits.delete(wait.call);
      waits.set(wait.call, { wait, deadline: now() + wait.seconds * 1000 });
      render();
      announce();
      if (timer === undefined && waits.size > 0) timer = setInterval(render, TICK_MS);
    },
    over({ call }) {
      if (!waits.delete(call)) return;
      render();
      announce();
    },
  };
}
