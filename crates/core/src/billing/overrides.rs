//! Manual merges and splits of billing cases, kept locally (a small JSON file in the app's data
//! directory, [`OVERRIDES_FILE`]): the supporter knows that two cases an hour apart were one job,
//! or that one long case was two. TeamViewer knows nothing of cases, so nothing is sent.
//!
//! An override names connections by id, never a case (cases are recomputed from the archive and
//! the rates every time): a merge joins the case holding one connection with the case holding
//! another (one customer), a split cuts the case holding a connection just before it. They apply
//! in the order they were made, after [`super::build_cases`], and each resulting case is priced
//! with [`super::price_case`]. An override whose connections are not in the period looked at is
//! left alone (it belongs to another period); one that no longer makes sense there (a connection
//! now free, not billable or running, the two cases already one, a connection that already opens
//! its case, two customers) is dropped with a note, never an error.

use super::{price_case, BillingCase, BillingRecord, CaseReport, Rates};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The overrides file's name, in the app's data directory.
pub const OVERRIDES_FILE: &str = "billing-overrides.json";

/// Largest overrides file read (a supporter's manual edits; far below this).
const MAX_OVERRIDES_BYTES: u64 = 4 * 1024 * 1024;

/// One manual change of the cases.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum CaseOverride {
    /// The case holding connection `first` and the case holding connection `second` become one.
    Merge {
        /// A connection of one case.
        first: String,
        /// A connection of the other case.
        second: String,
    },
    /// The case holding connection `before` is cut so that `before` opens a case of its own.
    Split {
        /// The connection that opens the second part.
        before: String,
    },
}

/// Why an override was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// One of its connections is not billed any more (free, not billable, or running).
    Excluded,
    /// The two connections are in one case already (the rates merge them now).
    SameCase,
    /// The connection opens its case already.
    FirstOfCase,
    /// The two connections belong to different customers.
    OtherCustomer,
}

/// An override that no longer applied and was removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DroppedOverride {
    /// The override.
    pub change: CaseOverride,
    /// Why it was dropped.
    pub reason: DropReason,
}

/// The overrides as kept in the file, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overrides {
    /// The changes, in the order they were made (and are applied).
    pub items: Vec<CaseOverride>,
}

impl Overrides {
    /// Reads the overrides; no file means none.
    ///
    /// # Errors
    /// [`Error::Config`] naming the file when it cannot be read or is damaged (it is left as it
    /// is).
    pub fn load(path: &Path) -> Result<Overrides> {
        let bytes = match crate::fsutil::read_regular_file(path, MAX_OVERRIDES_BYTES) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Overrides::default()),
            Err(e) => {
                return Err(Error::Config {
                    message: format!(
                        "cannot read the billing overrides {}: {e}; manual merges and splits are not applied",
                        path.display()
                    ),
                })
            }
        };
        serde_json::from_slice(&bytes).map_err(|e| Error::Config {
            message: format!(
                "the billing overrides file {} is damaged ({e}); manual merges and splits are not applied",
                path.display()
            ),
        })
    }

    /// Writes the overrides atomically (0600).
    ///
    /// # Errors
    /// File errors.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::fsutil::create_private_dir_all(dir)?;
        }
        crate::fsutil::write_atomically(path, crate::fsutil::FileMode::Private, |out| {
            serde_json::to_writer_pretty(&mut *out, self).map_err(|e| Error::Config {
                message: format!("cannot encode the billing overrides: {e}"),
            })?;
            out.write_all(b"\n")?;
            Ok(())
        })
    }
}

/// The cases after the overrides.
#[derive(Debug, Clone)]
pub struct AppliedOverrides {
    /// The cases (sorted by customer, then start) and the excluded connections.
    pub report: CaseReport,
    /// The overrides that no longer applied (to be removed from the file).
    pub dropped: Vec<DroppedOverride>,
    /// The first connection id of every case an override made.
    pub manual: HashSet<String>,
}

/// Applies `overrides` in order to `report` (built by [`super::build_cases`] from `records`
/// with `rates`); see the module documentation.
pub fn apply_overrides(
    rates: &Rates,
    records: &[BillingRecord],
    report: CaseReport,
    overrides: &[CaseOverride],
) -> AppliedOverrides {
    let by_id: HashMap<&str, &BillingRecord> = records.iter().map(|r| (r.id.as_str(), r)).collect();
    let excluded: HashSet<String> = report.excluded.iter().map(|e| e.id.clone()).collect();
    let mut cases = report.cases;
    let mut dropped = Vec::new();
    // Cases an override made, by their connection ids (a later override may change them again).
    let mut manual: Vec<Vec<String>> = Vec::new();
    let find = |cases: &[BillingCase], id: &str| {
        cases
            .iter()
            .position(|c| c.connection_ids.iter().any(|x| x == id))
    };
    let connections = |ids: &[&String]| -> Vec<&BillingRecord> {
        let mut list: Vec<&BillingRecord> = ids
            .iter()
            .filter_map(|id| by_id.get(id.as_str()).copied())
            .collect();
        list.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
        list
    };
    for change in overrides {
        let ids: Vec<&str> = match change {
            CaseOverride::Merge { first, second } => vec![first, second],
            CaseOverride::Split { before } => vec![before],
        };
        if ids.iter().any(|id| !by_id.contains_key(id)) {
            // Not (wholly) in this period: it belongs to another one.
            continue;
        }
        let drop = |reason| DroppedOverride {
            change: change.clone(),
            reason,
        };
        if ids.iter().any(|id| excluded.contains(*id)) {
            dropped.push(drop(DropReason::Excluded));
            continue;
        }
        match change {
            CaseOverride::Merge { first, second } => {
                let (Some(a), Some(b)) = (find(&cases, first), find(&cases, second)) else {
                    dropped.push(drop(DropReason::Excluded));
                    continue;
                };
                if a == b {
                    dropped.push(drop(DropReason::SameCase));
                    continue;
                }
                if cases[a].customer != cases[b].customer {
                    dropped.push(drop(DropReason::OtherCustomer));
                    continue;
                }
                let ids: Vec<&String> = cases[a]
                    .connection_ids
                    .iter()
                    .chain(&cases[b].connection_ids)
                    .collect();
                let merged = price_case(rates, &cases[a].customer.clone(), &connections(&ids));
                manual.push(merged.connection_ids.clone());
                let (keep, remove) = (a.min(b), a.max(b));
                cases[keep] = merged;
                cases.remove(remove);
            }
            CaseOverride::Split { before } => {
                let Some(a) = find(&cases, before) else {
                    dropped.push(drop(DropReason::Excluded));
                    continue;
                };
                let ids: Vec<&String> = cases[a].connection_ids.iter().collect();
                let list = connections(&ids);
                let Some(cut) = list.iter().position(|r| r.id == *before) else {
                    dropped.push(drop(DropReason::Excluded));
                    continue;
                };
                if cut == 0 {
                    dropped.push(drop(DropReason::FirstOfCase));
                    continue;
                }
                let customer = cases[a].customer.clone();
                let head = price_case(rates, &customer, &list[..cut]);
                let tail = price_case(rates, &customer, &list[cut..]);
                manual.push(head.connection_ids.clone());
                manual.push(tail.connection_ids.clone());
                cases[a] = head;
                cases.insert(a + 1, tail);
            }
        }
    }
    cases.sort_by(|a, b| {
        a.customer
            .cmp(&b.customer)
            .then_with(|| a.start.cmp(&b.start))
    });
    // A case counts as manual when it is exactly one an override made (a later override may
    // have changed it again, then that later one is the one recorded).
    let manual = cases
        .iter()
        .filter(|c| {
            manual.iter().any(|m| {
                m.len() == c.connection_ids.len()
                    && m.iter().all(|id| c.connection_ids.contains(id))
            })
        })
        .filter_map(|c| c.connection_ids.first().cloned())
        .collect();
    AppliedOverrides {
        report: CaseReport {
            cases,
            excluded: report.excluded,
        },
        dropped,
        manual,
    }
}
