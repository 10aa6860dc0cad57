// Minimal shell page: proves the IPC round trip to the Rust side.
const out = document.getElementById("version");
window.__TAURI__.core
  .invoke("app_info")
  .then((info) => {
    out.textContent = `${info.name} ${info.version} (core ${info.coreVersion})`;
  })
  .catch((err) => {
    out.textContent = `Could not reach the app core: ${err?.message ?? err}`;
  });
