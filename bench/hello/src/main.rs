// Hidden window, shown by the page's first render (like Supporter Desk's `app_ready`), so that
// "window mapped" means "first frame rendered" for both apps in the benchmark.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use tauri::Manager;

#[tauri::command]
fn app_ready(window: tauri::WebviewWindow) {
    eprintln!("hello-tauri: ready");
    let _ = window.show();
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![app_ready])
        .setup(|app| {
            if std::env::var_os("HELLO_SHOW_EARLY").is_some() {
                if let Some(w) = app.get_webview_window("main") {
                    let _ = w.show();
                }
            }
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("error while running the hello app");
}
