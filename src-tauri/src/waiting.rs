//! Waiting customers on the desktop: a desktop notification per arrival and the tray icon with
//! the count and one menu entry per waiting customer. The rules (who arrived, the texts, the
//! tray's labels) are the core's ([`WaitingWatch`], [`waiting_notice`], [`tray_model`]); this
//! module only shows them.
//!
//! Notifications go through tauri-plugin-notification from Rust (the UI has no notification
//! permission). A click on one (`tap`, reported on Linux by notification servers that support
//! the `default` action, and on Windows and macOS while it is on screen) shows that session;
//! the tray menu is the path that always works.

use crate::desktop::{show_main_window, MAIN_WINDOW};
use crate::state::AppState;
use sdesk_core::desk::{
    events, tray_model, waiting_notice, DesktopEvent, LiveUpdate, NotificationState, TrayModel,
    WaitingNotice, WaitingWatch,
};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Mutex;
use tauri::menu::{Menu, MenuBuilder, MenuEvent};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// Id of the one tray icon.
pub const TRAY_ID: &str = "main";
/// Prefix of the menu item id of a waiting customer (then the session code).
const SESSION_ITEM: &str = "session:";
/// Prefix of a notification's click target that opens the documentation prompt (then the
/// connection report's id); other targets are session codes.
pub const DOCUMENT_TARGET: &str = "doc:";
/// How many notification ids are remembered for clicks (older ones are forgotten).
const REMEMBERED_NOTIFICATIONS: usize = 64;

/// The desktop side of waiting customers, managed next to [`AppState`].
#[derive(Debug)]
pub struct DesktopState {
    watch: Mutex<WaitingWatch>,
    /// Notification id → click target (a session code, or [`DOCUMENT_TARGET`] + report id).
    shown: Mutex<HashMap<i32, String>>,
    next_id: AtomicI32,
    /// Why the system refused the last notification (`None`: none refused).
    blocked: Mutex<Option<String>>,
    /// Whether a real tray icon exists (built, or not wanted in tests).
    pub tray_built: AtomicBool,
    /// Started by the autostart entry with "start minimised" on: the window stays hidden.
    pub start_hidden: AtomicBool,
    /// Real plugins and tray (off on the mock runtime).
    pub integration: bool,
    #[cfg(debug_assertions)]
    notify_log: Option<PathBuf>,
    #[cfg(debug_assertions)]
    tray_log: Option<PathBuf>,
}

impl DesktopState {
    /// `notify_log` and `tray_log` are the debug test hooks (`None` in release builds).
    pub fn new(integration: bool, notify_log: Option<PathBuf>, tray_log: Option<PathBuf>) -> Self {
        #[cfg(not(debug_assertions))]
        let _ = (&notify_log, &tray_log);
        Self {
            watch: Mutex::new(WaitingWatch::new()),
            shown: Mutex::new(HashMap::new()),
            next_id: AtomicI32::new(1),
            blocked: Mutex::new(None),
            tray_built: AtomicBool::new(false),
            start_hidden: AtomicBool::new(false),
            integration,
            #[cfg(debug_assertions)]
            notify_log,
            #[cfg(debug_assertions)]
            tray_log,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether notifications reach the user now.
pub fn notification_state<R: Runtime>(app: &AppHandle<R>) -> NotificationState {
    let (Some(state), Some(desktop)) =
        (app.try_state::<AppState>(), app.try_state::<DesktopState>())
    else {
        return NotificationState::Off;
    };
    if !state.desk.settings().desktop.notifications {
        return NotificationState::Off;
    }
    let blocked = lock(&desktop.blocked).clone();
    match blocked {
        Some(reason) => NotificationState::Blocked { reason },
        None => NotificationState::Allowed,
    }
}

/// Follows the live list: on every update the waiting set is read again; arrivals are
/// announced (when notifications are on) and the tray is rebuilt when the set changed.
pub fn forward_waiting<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let mut updates = state.desk.subscribe_live();
    let app = app.clone();
    refresh_tray(&app, true);
    tauri::async_runtime::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        use tokio::sync::broadcast::error::TryRecvError;
        loop {
            match updates.recv().await {
                Ok(LiveUpdate::GroupsChanged { .. }) => continue,
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
            // One look per burst (a first list adds every session at once): the updates
            // already queued are folded into it, since the snapshot has them all.
            loop {
                match updates.try_recv() {
                    Ok(_) | Err(TryRecvError::Lagged(_)) => {}
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Closed) => return,
                }
            }
            refresh_tray(&app, false);
        }
    });
}

/// Reads the waiting set once: notifications for arrivals, the tray when it changed (or
/// `force`).
pub fn refresh_tray<R: Runtime>(app: &AppHandle<R>, force: bool) {
    let (Some(state), Some(desktop)) =
        (app.try_state::<AppState>(), app.try_state::<DesktopState>())
    else {
        return;
    };
    let snapshot = state.desk.live_snapshot();
    let change = lock(&desktop.watch).update(&snapshot);
    let language = state.desk.language();
    if state.desk.settings().desktop.notifications {
        for session in &change.arrived {
            notify(app, &desktop, &waiting_notice(language, session));
        }
    }
    if change.changed || force {
        show_tray(app, &desktop, &tray_model(language, &change.waiting));
    }
}

/// Shows one waiting-customer notification.
fn notify<R: Runtime>(app: &AppHandle<R>, desktop: &DesktopState, notice: &WaitingNotice) {
    notify_text(
        app,
        desktop,
        &notice.title,
        &notice.body,
        notice.code.clone(),
    );
}

/// Shows one notification whose click opens `target` (a session code, or
/// [`DOCUMENT_TARGET`] + a report id), or, in debug builds with `SDESK_TEST_NOTIFY_LOG`,
/// appends `title | body | target` to that file instead.
pub fn notify_text<R: Runtime>(
    app: &AppHandle<R>,
    desktop: &DesktopState,
    title: &str,
    body: &str,
    target: String,
) {
    #[cfg(debug_assertions)]
    if let Some(log) = &desktop.notify_log {
        let line = format!("{title} | {body} | {target}");
        if let Err(e) = crate::desktop::append_line(log, &line) {
            tracing::warn!("notification test hook: {}", e.0.message);
        }
        return;
    }
    if !desktop.integration {
        return;
    }
    use tauri_plugin_notification::{NotificationExt, PermissionState};
    let notifications = app.notification();
    // Desktop systems grant this without asking; where a platform asks, it asks once here.
    let permission = match notifications.permission_state() {
        Ok(PermissionState::Prompt | PermissionState::PromptWithRationale) => {
            notifications.request_permission()
        }
        other => other,
    };
    let refused = match permission {
        Ok(PermissionState::Granted) => None,
        Ok(_) => Some("the system refused the permission to show notifications".to_owned()),
        Err(e) => Some(format!("cannot ask for the notification permission: {e}")),
    };
    let id = desktop.next_id.fetch_add(1, Ordering::Relaxed);
    let shown = match refused {
        Some(reason) => Err(reason),
        None => notifications
            .builder()
            .id(id)
            .title(title)
            .body(body)
            .show()
            .map_err(|e| format!("the notification could not be shown: {e}")),
    };
    match shown {
        Ok(()) => {
            let mut ids = lock(&desktop.shown);
            if ids.len() >= REMEMBERED_NOTIFICATIONS {
                let oldest = ids.keys().min().copied();
                if let Some(oldest) = oldest {
                    ids.remove(&oldest);
                }
            }
            ids.insert(id, target);
            let was_blocked = lock(&desktop.blocked).take().is_some();
            if was_blocked {
                emit_notification_state(app);
            }
        }
        Err(reason) => {
            tracing::warn!("{reason}");
            let first = lock(&desktop.blocked).replace(reason).is_none();
            if first {
                emit_notification_state(app);
            }
        }
    }
}

/// Tells the window how notifications stand (after a refusal, a recovery or a settings change).
pub fn emit_notification_state<R: Runtime>(app: &AppHandle<R>) {
    emit_desktop(
        app,
        DesktopEvent::Notifications {
            state: notification_state(app),
        },
    );
}

/// Sends a [`DesktopEvent`] to the main window.
pub fn emit_desktop<R: Runtime>(app: &AppHandle<R>, event: DesktopEvent) {
    if let Err(e) = app.emit_to(MAIN_WINDOW, events::DESKTOP, &event) {
        tracing::warn!("could not send a desktop event to the window: {e}");
    }
}

/// Registers the click handler of notifications: a click shows that session.
pub fn on_notification_click<R: Runtime>(app: &AppHandle<R>) {
    use tauri_plugin_notification::NotificationExt;
    let handle = app.clone();
    let registered = app.notification().on_action(move |performed| {
        if performed.action_id() != "tap" {
            return;
        }
        let code = performed.notification().and_then(|n| {
            let desktop = handle.try_state::<DesktopState>()?;
            let code = lock(&desktop.shown).get(&n.id()).cloned();
            code
        });
        match code {
            Some(target) => match target.strip_prefix(DOCUMENT_TARGET) {
                Some(id) => document_session(&handle, id.to_owned()),
                None => focus_session(&handle, target),
            },
            None => show_main_window(&handle),
        }
    });
    if let Err(e) = registered {
        tracing::warn!("notification clicks are not reported: {e}");
    }
}

/// Shows the window and asks the UI to open the documentation prompt for that report.
pub fn document_session<R: Runtime>(app: &AppHandle<R>, id: String) {
    show_main_window(app);
    emit_desktop(app, DesktopEvent::DocumentSession { id });
}

/// Shows the window and asks the UI to open that session's detail.
pub fn focus_session<R: Runtime>(app: &AppHandle<R>, code: String) {
    show_main_window(app);
    emit_desktop(app, DesktopEvent::FocusSession { code });
}

/// Builds the tray icon once (Linux: needs libayatana-appindicator3 at run time). Returns
/// whether it exists.
pub fn build_tray<R: Runtime>(app: &AppHandle<R>) -> bool {
    let (Some(state), Some(desktop)) =
        (app.try_state::<AppState>(), app.try_state::<DesktopState>())
    else {
        return false;
    };
    if !desktop.integration {
        return false;
    }
    let model = tray_model(state.desk.language(), &[]);
    let built = menu(app, &model).and_then(|menu| {
        let mut builder = TrayIconBuilder::with_id(TRAY_ID)
            .menu(&menu)
            .tooltip(&model.tooltip)
            .show_menu_on_left_click(true)
            .on_menu_event(on_menu_event);
        if let Some(icon) = app.default_window_icon() {
            builder = builder.icon(icon.clone());
        }
        builder.build(app)
    });
    match built {
        Ok(_) => {
            desktop.tray_built.store(true, Ordering::SeqCst);
            true
        }
        Err(e) => {
            tracing::warn!("no tray icon (waiting customers show in the window only): {e}");
            false
        }
    }
}

fn menu<R: Runtime>(app: &AppHandle<R>, model: &TrayModel) -> tauri::Result<Menu<R>> {
    let mut builder = MenuBuilder::new(app)
        .text("show", &model.show)
        .text("new-session", &model.new_session)
        .separator();
    let heading = tauri::menu::MenuItemBuilder::with_id("waiting", &model.waiting_heading)
        .enabled(false)
        .build(app)?;
    builder = builder.item(&heading);
    for entry in &model.entries {
        builder = builder.text(format!("{SESSION_ITEM}{}", entry.code), &entry.label);
    }
    builder.separator().text("quit", &model.quit).build()
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let id = event.id().as_ref();
    match id {
        "show" => show_main_window(app),
        "new-session" => {
            show_main_window(app);
            emit_desktop(app, DesktopEvent::NewSession);
        }
        "quit" => app.exit(0),
        _ => {
            if let Some(code) = id.strip_prefix(SESSION_ITEM) {
                focus_session(app, code.to_owned());
            }
        }
    }
}

/// Puts `model` on the tray: tooltip, the count as the icon's title (shown next to the icon by
/// Linux app indicators and macOS), and the menu. With `SDESK_TEST_TRAY_LOG` (debug builds) it
/// also appends `count=N | label | label …` to that file.
fn show_tray<R: Runtime>(app: &AppHandle<R>, desktop: &DesktopState, model: &TrayModel) {
    #[cfg(debug_assertions)]
    if let Some(log) = &desktop.tray_log {
        let mut line = format!("count={}", model.count);
        for label in [&model.show, &model.new_session, &model.waiting_heading]
            .into_iter()
            .chain(model.entries.iter().map(|e| &e.label))
            .chain([&model.quit])
        {
            line.push_str(" | ");
            line.push_str(label);
        }
        if let Err(e) = crate::desktop::append_line(log, &line) {
            tracing::warn!("tray test hook: {}", e.0.message);
        }
    }
    if !desktop.tray_built.load(Ordering::SeqCst) {
        return;
    }
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let title = (model.count > 0).then(|| model.count.to_string());
    let result = menu(app, model)
        .and_then(|menu| tray.set_menu(Some(menu)))
        .and_then(|()| tray.set_tooltip(Some(&model.tooltip)))
        .and_then(|()| tray.set_title(title.as_deref()));
    if let Err(e) = result {
        tracing::warn!("could not update the tray icon: {e}");
    }
}
