//! Supporter Desk desktop shell. It stays thin: every behaviour lives in `sdesk-core`; this crate
//! only wires windows, plugins and commands to it.

/// Wires the app onto any runtime, so that tests can build it on Tauri's mock runtime.
pub fn build_app<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![commands::app_info])
}

/// Starts the desktop app.
pub fn run() {
    let context = tauri::generate_context!();
    if let Err(e) = build_app(tauri::Builder::default()).run(context) {
        eprintln!("error: supporter desk failed to start: {e}");
        std::process::exit(1);
    }
}

mod commands {
    /// Name and version, shown in the window title bar area.
    #[derive(Debug, serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct AppInfo {
        name: &'static str,
        version: &'static str,
        core_version: &'static str,
    }

    #[tauri::command]
    pub fn app_info() -> AppInfo {
        AppInfo {
            name: "Supporter Desk",
            version: env!("CARGO_PKG_VERSION"),
            core_version: sdesk_core::VERSION,
        }
    }
}

#[cfg(test)]
mod tests {
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;

    #[test]
    fn app_info_is_wired_on_the_mock_runtime() {
        let app = super::build_app(mock_builder())
            .build(mock_context(noop_assets()))
            .expect("the app builds on the mock runtime");
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("a mock window");
        let res = get_ipc_response(
            &webview,
            InvokeRequest {
                cmd: "app_info".into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().expect("static URL"),
                body: InvokeBody::Json(serde_json::json!({})),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .expect("app_info answers");
        let v: serde_json::Value = res.deserialize().expect("JSON");
        assert_eq!(
            v["name"], "Supporter Desk",
            "the command registered in build_app must be reachable over IPC"
        );
    }
}
