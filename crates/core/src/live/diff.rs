//! The current session list and how a fresh list differs from it.

use super::events::LiveEvent;
use crate::models::SupportSession;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// Sessions by code, as last listed, plus which of them were reported expired.
#[derive(Debug, Default, Clone)]
pub(crate) struct SessionBook {
    /// In the server's order (newest first).
    sessions: Vec<SupportSession>,
    /// Codes (normalised) whose expiry was reported.
    expired: HashSet<String>,
}

/// `s123-456-789` and `S123456789` are one session.
fn key(code: &str) -> String {
    code.chars()
        .filter(|c| *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_online(session: &SupportSession) -> bool {
    session.online == Some(true)
}

/// Whether the session's customer waits: open and `online: true` (the assumption in
/// docs/live.md). `customer_waiting` adds such a session; `customer_left` or a removal ends it.
pub fn is_waiting(session: &SupportSession) -> bool {
    session.is_open() && is_online(session)
}

/// Whether an open session's validity has ended at `now`.
fn has_expired(session: &SupportSession, now: DateTime<Utc>) -> bool {
    session.is_open() && session.valid_until.is_some_and(|until| until <= now)
}

/// The API names of the fields in which `a` and `b` differ.
pub(crate) fn changed_fields(a: &SupportSession, b: &SupportSession) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return Vec::new();
    };
    let mut fields: Vec<String> = a
        .iter()
        .filter(|(name, value)| b.get(name.as_str()) != Some(value))
        .map(|(name, _)| name.clone())
        .chain(b.keys().filter(|name| !a.contains_key(*name)).cloned())
        .collect();
    fields.sort();
    fields
}

impl SessionBook {
    /// The sessions, in the server's order.
    pub(crate) fn sessions(&self) -> &[SupportSession] {
        &self.sessions
    }

    /// Replaces the list with `fresh` and returns the differences, then the expiries at `now`.
    /// Per session the order is: added/changed, then waiting/left; removals come last.
    pub(crate) fn apply(
        &mut self,
        fresh: Vec<SupportSession>,
        now: DateTime<Utc>,
    ) -> Vec<LiveEvent> {
        let mut old: HashMap<String, SupportSession> = std::mem::take(&mut self.sessions)
            .into_iter()
            .map(|s| (key(&s.code), s))
            .collect();
        let mut events = Vec::new();
        let mut seen = HashSet::new();
        for session in fresh {
            let k = key(&session.code);
            if !seen.insert(k.clone()) {
                continue; // listed twice: the first one wins
            }
            match old.remove(&k) {
                None => {
                    events.push(LiveEvent::SessionAdded {
                        session: session.clone(),
                    });
                    if is_online(&session) {
                        events.push(LiveEvent::CustomerWaiting {
                            session: session.clone(),
                        });
                    }
                }
                Some(before) if before != session => {
                    let fields = changed_fields(&before, &session);
                    let (was, is) = (is_online(&before), is_online(&session));
                    if before.valid_until != session.valid_until || !session.is_open() {
                        // Extended (or closed): a later expiry is news again.
                        self.expired.remove(&k);
                    }
                    events.push(LiveEvent::SessionChanged {
                        before: Box::new(before),
                        after: Box::new(session.clone()),
                        fields,
                    });
                    if is && !was {
                        events.push(LiveEvent::CustomerWaiting {
                            session: session.clone(),
                        });
                    } else if was && !is {
                        events.push(LiveEvent::CustomerLeft {
                            session: session.clone(),
                        });
                    }
                }
                Some(_) => {}
            }
            self.sessions.push(session);
        }
        // What is left of the old list was not listed again, in its old order.
        let mut removed: Vec<SupportSession> = old.into_values().collect();
        removed.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.code.cmp(&b.code)));
        for session in removed {
            self.expired.remove(&key(&session.code));
            events.push(LiveEvent::SessionRemoved { session });
        }
        events.extend(self.check_expiry(now));
        events
    }

    /// `SessionExpired` for every open session whose `valid_until` passed at `now` and was not
    /// reported yet.
    pub(crate) fn check_expiry(&mut self, now: DateTime<Utc>) -> Vec<LiveEvent> {
        let mut events = Vec::new();
        for session in &self.sessions {
            if has_expired(session, now) && self.expired.insert(key(&session.code)) {
                events.push(LiveEvent::SessionExpired {
                    session: session.clone(),
                });
            }
        }
        events
    }

    /// The earliest `valid_until` after `now` of an open session not yet reported expired.
    pub(crate) fn next_expiry(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.sessions
            .iter()
            .filter(|s| s.is_open() && !self.expired.contains(&key(&s.code)))
            .filter_map(|s| s.valid_until)
            .filter(|until| *until > now)
            .min()
    }

    /// Forgets everything (sign-out).
    pub(crate) fn clear(&mut self) {
        self.sessions.clear();
        self.expired.clear();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::models::SessionState;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 17, 12, 0, 0).unwrap()
    }

    fn session(code: &str, online: bool) -> SupportSession {
        serde_json::from_value(serde_json::json!({
            "code": code, "state": "Open", "online": online,
            "created_at": "2024-05-17T10:00:00Z", "valid_until": "2024-05-18T10:00:00Z",
        }))
        .unwrap()
    }

    fn kinds(events: &[LiveEvent]) -> Vec<String> {
        events
            .iter()
            .map(|e| {
                let v = serde_json::to_value(e).unwrap();
                let code = ["session", "after"]
                    .iter()
                    .find_map(|f| v[f]["code"].as_str())
                    .unwrap_or("");
                format!("{} {code}", v["type"].as_str().unwrap())
            })
            .collect()
    }

    #[test]
    fn first_list_adds_everything_and_flags_waiting_customers() {
        let mut book = SessionBook::default();
        let events = book.apply(vec![session("s1", false), session("s2", true)], t0());
        assert_eq!(
            kinds(&events),
            [
                "session_added s1",
                "session_added s2",
                "customer_waiting s2"
            ],
            "every new session is added; one already online means a waiting customer"
        );
        assert!(
            book.apply(vec![session("s1", false), session("s2", true)], t0())
                .is_empty(),
            "an identical list is no news"
        );
    }

    #[test]
    fn online_changes_are_waiting_and_left() {
        let mut book = SessionBook::default();
        book.apply(vec![session("s1", false), session("s2", true)], t0());
        let events = book.apply(vec![session("s1", true), session("s2", false)], t0());
        assert_eq!(
            kinds(&events),
            [
                "session_changed s1",
                "customer_waiting s1",
                "session_changed s2",
                "customer_left s2"
            ],
            "online false→true is a waiting customer, true→false one who left"
        );
        let LiveEvent::SessionChanged { fields, .. } = &events[0] else {
            panic!("first event is the change of s1: {events:?}")
        };
        assert_eq!(fields, &["online"], "only `online` differs");
    }

    #[test]
    fn changes_name_their_fields_and_dashes_do_not_matter() {
        let mut book = SessionBook::default();
        book.apply(vec![session("s123-456", false)], t0());
        let mut after = session("S123456", false);
        after.state = Some(SessionState::Closed);
        after.assigned_userid = Some("u7".into());
        let events = book.apply(vec![after], t0());
        assert_eq!(
            events.len(),
            1,
            "one session changed, not removed and added: {events:?}"
        );
        let LiveEvent::SessionChanged { fields, .. } = &events[0] else {
            panic!("a change: {events:?}")
        };
        assert_eq!(
            fields,
            &["assigned_userid", "code", "state"],
            "the differing API fields, sorted"
        );
    }

    #[test]
    fn missing_sessions_are_removed() {
        let mut book = SessionBook::default();
        book.apply(vec![session("s1", false), session("s2", false)], t0());
        let events = book.apply(vec![session("s2", false)], t0());
        assert_eq!(kinds(&events), ["session_removed s1"], "s1 is gone");
        assert_eq!(book.sessions().len(), 1, "the book holds what was listed");
    }

    #[test]
    fn expiry_is_found_by_the_clock_once() {
        let mut book = SessionBook::default();
        let s = session("s1", false);
        let until = s.valid_until.unwrap();
        book.apply(vec![s], t0());
        assert_eq!(
            book.next_expiry(t0()),
            Some(until),
            "the next expiry is known"
        );
        assert!(
            book.check_expiry(until - chrono::Duration::seconds(1))
                .is_empty(),
            "not expired a second early"
        );
        assert_eq!(
            kinds(&book.check_expiry(until)),
            ["session_expired s1"],
            "expired at valid_until"
        );
        assert!(
            book.check_expiry(until + chrono::Duration::hours(1))
                .is_empty(),
            "reported once"
        );
        assert_eq!(book.next_expiry(until), None, "nothing else expires");
        let mut closed = session("s2", false);
        closed.state = Some(SessionState::Closed);
        book.apply(vec![closed], until);
        assert!(
            book.check_expiry(until + chrono::Duration::days(2))
                .is_empty(),
            "a closed session does not expire"
        );
    }
}
