//! The settings area: reading and applying the settings, and the reconnect they may cause.
//! (The settings file itself is `settings.rs`.)

use super::connection::Shared;
use super::dto::SettingsView;
use super::settings::{Mode, Settings};
use crate::auth::CLIENT_SECRET_NAME;
use crate::error::Result;
use crate::secret::Secret;
use std::path::PathBuf;
use std::sync::Arc;

/// The settings area of the desk.
#[derive(Debug)]
pub(super) struct SettingsArea {
    shared: Arc<Shared>,
    /// Where applied settings are saved (`None`: not saved, for tests).
    path: Option<PathBuf>,
}

/// What [`SettingsArea::apply`] did to the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Applied {
    /// Only the language changed: same connection, same sign-in.
    SameConnection,
    /// A new connection: the old one's sign-in, account data and live list are gone.
    Reconnected,
}

impl SettingsArea {
    pub(super) fn new(shared: Arc<Shared>, path: Option<PathBuf>) -> SettingsArea {
        SettingsArea { shared, path }
    }

    /// The current settings.
    pub(super) fn settings(&self) -> Settings {
        self.shared.conn().settings.clone()
    }

    /// The settings for the UI, with whether a client secret is stored.
    pub(super) async fn view(&self) -> SettingsView {
        SettingsView {
            settings: self.settings(),
            has_client_secret: self.shared.client_secret().await.is_some(),
        }
    }

    /// Validates and saves the settings, stores or deletes the client secret (`Some("")`
    /// deletes it), and reconnects when anything but the language changed.
    pub(super) async fn apply(
        &self,
        settings: Settings,
        client_secret: Option<Secret>,
    ) -> Result<Applied> {
        settings.validate()?;
        // https, or http only on this machine: checked before anything is saved, so that a
        // refused URL never ends up in the settings file.
        crate::client::parse_service_url("API URL", &settings.api_url)?;
        crate::client::parse_service_url("login URL", &settings.login_url)?;
        let secret_changed = client_secret.is_some();
        if let Some(secret) = client_secret {
            let secret = Secret::new(secret.expose().trim());
            self.shared
                .with_store(move |s| {
                    if secret.is_empty() {
                        s.delete_secret(CLIENT_SECRET_NAME)
                    } else {
                        s.save_secret(CLIENT_SECRET_NAME, &secret)
                    }
                })
                .await?;
        }
        if let Some(path) = &self.path {
            settings.save(path)?;
        }
        let settings = settings.normalized();
        let current = self.shared.conn();
        let origin = self.shared.configured_sandbox_origin();
        let origin_changed = settings.mode == Mode::Sandbox && current.sandbox_origin != origin;
        let same_connection = Settings {
            language: current.settings.language,
            desktop: current.settings.desktop.clone(),
            archive: current.settings.archive.clone(),
            live: current.settings.live.clone(),
            documentation: current.settings.documentation.clone(),
            ..settings.clone()
        } == current.settings
            && !secret_changed
            && !origin_changed;
        if same_connection {
            self.shared.replace(current.with_settings(settings));
            return Ok(Applied::SameConnection);
        }
        if origin_changed {
            // A new simulator knows none of the old one's tokens.
            self.shared.clear_sandbox_tokens();
        }
        let conn = self
            .shared
            .connect(&settings, current.generation + 1)
            .await?;
        self.shared.replace(conn);
        Ok(Applied::Reconnected)
    }
}
