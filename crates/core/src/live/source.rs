//! What the refresher reads from: the API client, or a stand-in in tests.

use crate::client::TeamViewerClient;
use crate::error::Result;
use crate::models::{Group, SessionPage, SessionQuery, User};

/// The three reads of the refresher. Each call must send exactly one HTTP request (no
/// retries of its own), because the refresher counts calls against its budget and does its
/// own backing off: [`Refresher::for_client`](super::Refresher::for_client) gives the client
/// `RetryPolicy::none()`.
#[async_trait::async_trait]
pub trait LiveSource: Send + Sync + std::fmt::Debug + 'static {
    /// One page of `GET /sessions`.
    async fn sessions_page(
        &self,
        query: &SessionQuery,
        offset: Option<&str>,
    ) -> Result<SessionPage>;
    /// `GET /groups`.
    async fn groups(&self) -> Result<Vec<Group>>;
    /// `GET /users`.
    async fn users(&self) -> Result<Vec<User>>;
}

#[async_trait::async_trait]
impl LiveSource for TeamViewerClient {
    async fn sessions_page(
        &self,
        query: &SessionQuery,
        offset: Option<&str>,
    ) -> Result<SessionPage> {
        TeamViewerClient::sessions_page(self, query, offset).await
    }

    async fn groups(&self) -> Result<Vec<Group>> {
        TeamViewerClient::groups(self, None).await
    }

    async fn users(&self) -> Result<Vec<User>> {
        TeamViewerClient::users(self).await
    }
}
