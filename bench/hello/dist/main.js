// The page is built (this deferred script runs after parsing): ask Rust to show the window,
// as Supporter Desk's UI does with `app_ready` right after its first render. (A hidden window
// gets no requestAnimationFrame callbacks in WebKitGTK, so waiting for a frame would stall.)
window.__TAURI__.core.invoke('app_ready');
