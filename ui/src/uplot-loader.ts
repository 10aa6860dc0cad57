// uPlot, loaded on demand. uPlot builds `new Intl.NumberFormat(navigator.language)` when its
// module is evaluated; WebKitGTK started with LANG=C (or POSIX) reports a language tag that Intl
// rejects, and the throw would stop the whole UI if uPlot were imported statically. So it is
// imported dynamically (after the first render: `preload`), with `navigator.language` set to a
// valid tag for the duration of the import when the real one is not. The app formats every
// number on the charts itself (format.ts, in the app's language), so uPlot's own formatter is
// never shown.
import type uPlotType from "uplot";

let loading: Promise<typeof uPlotType> | null = null;

function languageIsValid(): boolean {
  try {
    new Intl.NumberFormat(navigator.language);
    return true;
  } catch {
    return false;
  }
}

/** uPlot's constructor (the module is fetched once). */
export function loadUplot(): Promise<typeof uPlotType> {
  loading ??= (async () => {
    const patched = !languageIsValid();
    if (patched) Object.defineProperty(navigator, "language", { value: "en-US", configurable: true });
    try {
      return (await import("uplot")).default;
    } finally {
      if (patched) delete (navigator as { language?: string }).language;
    }
  })();
  return loading;
}
