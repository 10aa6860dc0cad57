//! Charge rates (issue 10 item 1): what a case costs, per device group, read from and written to
//! `rates.toml` in the app's config directory. Money is [`Decimal`] throughout: the file holds
//! decimal strings (`"90.00"`), never TOML floats. The rules are in `docs/billing.md`.

use crate::error::{Error, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;
use std::str::FromStr;

/// The rates file's name in the app's config directory (beside `settings.json`).
pub const RATES_FILE: &str = "rates.toml";

/// The largest rates file [`Rates::load`] reads (a hand-written file is a few hundred bytes).
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The largest hourly rate or base fee accepted: far above any real price, and small enough that
/// no case's amount can overflow a [`Decimal`].
const MAX_MONEY: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// The field name every rates error carries (see [`Error::InvalidInput`]).
const FIELD: &str = "charge rates";

/// The charge rates: the merge window, the default rate, and the group overrides (first match
/// wins, see [`Rates::rate_for`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    /// Connections of one customer that start at most this many minutes after the current
    /// case's latest end join that case; 0 never merges.
    pub merge_within_minutes: u32,
    /// The rate of connections whose group matches no [`GroupRate`].
    pub default: Rate,
    /// Overrides by group id or group name, in file order.
    pub groups: Vec<GroupRate>,
}

/// One charge rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    /// The rate's name as invoices show it ("Standard", "Premium").
    pub name: String,
    /// Price of 60 billable minutes.
    #[serde(with = "rust_decimal::serde::str")]
    pub hourly_rate: Decimal,
    /// ISO 4217 code: three upper-case letters (`EUR`).
    pub currency: String,
    /// Added once per case.
    #[serde(with = "rust_decimal::serde::str")]
    pub base_fee: Decimal,
    /// A case is billed at least this many minutes.
    pub minimum_minutes: u32,
    /// Billable time rounds up to a multiple of this many minutes (at least 1).
    pub increment_minutes: u32,
    /// A connection shorter than this is not billed (listed as free).
    pub free_under_seconds: u32,
}

/// A rate for the connections of one device group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRate {
    /// Matches a connection with exactly this `groupid`.
    pub groupid: Option<String>,
    /// Matches a connection whose `groupname` equals this, ignoring case.
    pub groupname: Option<String>,
    /// The rate of the matching connections.
    pub rate: Rate,
}

impl Default for Rates {
    /// The example `[default]`: Standard, 90.00 EUR an hour, no base fee, at least 15
    /// minutes in steps of 15, connections under 60 seconds free; merge within 10 minutes; no
    /// groups.
    fn default() -> Self {
        Rates {
            merge_within_minutes: 10,
            default: Rate {
                name: "Standard".to_owned(),
                hourly_rate: Decimal::new(9000, 2),
                currency: "EUR".to_owned(),
                base_fee: Decimal::new(0, 2),
                minimum_minutes: 15,
                increment_minutes: 15,
                free_under_seconds: 60,
            },
            groups: Vec::new(),
        }
    }
}

impl Rates {
    /// Reads rates from TOML text (the format of `docs/billing.md`). Strict: unknown keys,
    /// floats or numbers for money, negative money, an increment of 0, a group with neither
    /// `groupid` nor `groupname`, or a currency that is not three upper-case letters are
    /// [`Error::InvalidInput`] errors whose message names the rate and the key, e.g.
    /// `group 2 (Premium): hourly_rate must be a decimal string like "90.00"`.
    ///
    /// Missing keys: `merge_within_minutes` is 10 and `[default]` the [`Rates::default`] rate;
    /// in a rate `name`, `hourly_rate` and `currency` are required, `base_fee` is 0,
    /// `minimum_minutes` 0, `increment_minutes` 1 and `free_under_seconds` 0.
    pub fn from_toml(text: &str) -> Result<Rates> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let message = e.message().trim_end().to_owned();
            invalid(match line {
                Some(line) => format!("line {line}: {message}"),
                None => message,
            })
        })?;
        let defaults = Rates::default();
        let mut rates = Rates {
            merge_within_minutes: defaults.merge_within_minutes,
            default: defaults.default,
            groups: Vec::new(),
        };
        for (key, value) in &table {
            match key.as_str() {
                "merge_within_minutes" => {
                    rates.merge_within_minutes = whole_number("", key, value)?;
                }
                "default" => {
                    let Some(t) = value.as_table() else {
                        return Err(invalid("default must be a table: [default]"));
                    };
                    rates.default = rate_from_table("default", t, false)?.rate;
                }
                "group" => {
                    let Some(groups) = value.as_array() else {
                        return Err(invalid("group must be a list of tables: [[group]]"));
                    };
                    for (i, g) in groups.iter().enumerate() {
                        let Some(t) = g.as_table() else {
                            return Err(invalid(format!(
                                "group {} must be a table: [[group]]",
                                i + 1
                            )));
                        };
                        rates
                            .groups
                            .push(rate_from_table(&group_label(i, t), t, true)?);
                    }
                }
                other => {
                    return Err(invalid(format!(
                        "unknown key \"{other}\" (allowed: merge_within_minutes, [default], \
                         [[group]])"
                    )))
                }
            }
        }
        rates.validate()?;
        Ok(rates)
    }

    /// Checks what the types cannot say: names present, currencies of three upper-case letters,
    /// money not negative and at most 1,000,000,000, increments of at least 1 minute, every group
    /// with a `groupid` or a `groupname`. [`Rates::from_toml`] and [`Rates::save`] call it;
    /// call it on rates built any other way (a settings form) before using them.
    pub fn validate(&self) -> Result<()> {
        check_rate("default", &self.default)?;
        for (i, g) in self.groups.iter().enumerate() {
            let label = label_for(i, &g.rate.name);
            let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
            if blank(&g.groupid) && blank(&g.groupname) {
                return Err(invalid(format!(
                    "{label}: needs a groupid or a groupname to match connections"
                )));
            }
            check_rate(&label, &g.rate)?;
        }
        Ok(())
    }

    /// The TOML text of these rates, in the layout of `docs/billing.md`;
    /// [`Rates::from_toml`] reads it back to equal rates.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "merge_within_minutes = {}          # 0 = never merge",
            self.merge_within_minutes
        );
        out.push_str("\n[default]\n");
        write_rate(&mut out, &self.default);
        for g in &self.groups {
            out.push_str("\n[[group]]\n");
            if let Some(id) = &g.groupid {
                let _ = writeln!(out, "groupid = {}", quoted(id));
            }
            if let Some(name) = &g.groupname {
                let _ = writeln!(out, "groupname = {}", quoted(name));
            }
            write_rate(&mut out, &g.rate);
        }
        out
    }

    /// Reads the rates file at `path`: `Ok(None)` when there is no file; an error naming the
    /// file when it cannot be read or is not valid (see [`Rates::from_toml`]).
    pub fn load(path: &Path) -> Result<Option<Rates>> {
        let bytes = match crate::fsutil::read_regular_file(path, MAX_FILE_BYTES) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::Io(std::io::Error::new(
                    e.kind(),
                    format!("{}: {e}", path.display()),
                )))
            }
        };
        let in_file = |message: String| Error::invalid(format!("{}", path.display()), message);
        let text = String::from_utf8(bytes)
            .map_err(|_| in_file("the rates file is not UTF-8 text".to_owned()))?;
        match Rates::from_toml(&text) {
            Ok(rates) => Ok(Some(rates)),
            Err(Error::InvalidInput { message, .. }) => Err(in_file(message)),
            Err(e) => Err(e),
        }
    }

    /// Checks the rates ([`Rates::validate`]) and writes them to `path` atomically: the file is
    /// replaced whole or not at all.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.validate()?;
        let text = self.to_toml();
        crate::fsutil::write_file_atomically(path, |out| {
            out.write_all(text.as_bytes())?;
            Ok(())
        })
    }

    /// The rate of a connection in this group: the first [`GroupRate`] whose `groupid` equals
    /// `groupid` or whose `groupname` equals `groupname` ignoring case, else the default.
    pub fn rate_for(&self, groupid: Option<&str>, groupname: Option<&str>) -> &Rate {
        self.group_index(groupid, groupname)
            .map_or(&self.default, |i| &self.groups[i].rate)
    }

    /// The index in `groups` of the rate [`Rates::rate_for`] picks; `None` for the default.
    pub(crate) fn group_index(
        &self,
        groupid: Option<&str>,
        groupname: Option<&str>,
    ) -> Option<usize> {
        self.groups.iter().position(|g| {
            let id = matches!((g.groupid.as_deref(), groupid), (Some(a), Some(b)) if a == b);
            id || matches!(
                (g.groupname.as_deref(), groupname),
                (Some(a), Some(b)) if eq_ignore_case(a, b)
            )
        })
    }
}

/// Unicode case-insensitive equality, without allocating.
fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid(FIELD, message)
}

/// `group 2 (Premium)` (1-based), or `group 2` without a usable name.
fn label_for(index: usize, name: &str) -> String {
    if name.trim().is_empty() {
        format!("group {}", index + 1)
    } else {
        format!("group {} ({})", index + 1, name.trim())
    }
}

fn group_label(index: usize, t: &toml::Table) -> String {
    label_for(index, t.get("name").and_then(|v| v.as_str()).unwrap_or(""))
}

/// `label: key` for messages (`key` alone at the top level).
fn at(label: &str, key: &str) -> String {
    if label.is_empty() {
        key.to_owned()
    } else {
        format!("{label}: {key}")
    }
}

fn whole_number(label: &str, key: &str, value: &toml::Value) -> Result<u32> {
    match value {
        toml::Value::Integer(n) => u32::try_from(*n).map_err(|_| {
            invalid(format!(
                "{} must be a whole number from 0 to {}, not {n}",
                at(label, key),
                u32::MAX
            ))
        }),
        other => Err(invalid(format!(
            "{} must be a whole number like 15, not {}",
            at(label, key),
            describe(other)
        ))),
    }
}

fn money(label: &str, key: &str, value: &toml::Value) -> Result<Decimal> {
    let wrong = || {
        invalid(format!(
            "{} must be a decimal string like \"90.00\"",
            at(label, key)
        ))
    };
    let toml::Value::String(text) = value else {
        return Err(wrong());
    };
    // Plain decimal notation only: digits with an optional sign and fraction (no exponent,
    // no separators), so what the file says is exactly the value.
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    let plain = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    if !plain {
        return Err(wrong());
    }
    Decimal::from_str(text).map_err(|_| wrong())
}

fn text(label: &str, key: &str, value: &toml::Value) -> Result<String> {
    match value {
        toml::Value::String(s) => Ok(s.clone()),
        other => Err(invalid(format!(
            "{} must be a string in quotes, not {}",
            at(label, key),
            describe(other)
        ))),
    }
}

fn describe(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("the string {}", quoted(s)),
        toml::Value::Integer(n) => format!("the number {n}"),
        toml::Value::Float(f) => format!("the number {f}"),
        toml::Value::Boolean(b) => format!("{b}"),
        toml::Value::Datetime(d) => format!("the date {d}"),
        toml::Value::Array(_) => "a list".to_owned(),
        toml::Value::Table(_) => "a table".to_owned(),
    }
}

/// One `[default]` or `[[group]]` table; `group` allows `groupid` and `groupname`.
fn rate_from_table(label: &str, t: &toml::Table, group: bool) -> Result<GroupRate> {
    let mut name = None;
    let mut hourly_rate = None;
    let mut currency = None;
    let mut rate = Rate {
        name: String::new(),
        hourly_rate: Decimal::ZERO,
        currency: String::new(),
        base_fee: Decimal::new(0, 2),
        minimum_minutes: 0,
        increment_minutes: 1,
        free_under_seconds: 0,
    };
    let mut groupid = None;
    let mut groupname = None;
    for (key, value) in t {
        match key.as_str() {
            "name" => name = Some(text(label, key, value)?),
            "hourly_rate" => hourly_rate = Some(money(label, key, value)?),
            "currency" => currency = Some(text(label, key, value)?),
            "base_fee" => rate.base_fee = money(label, key, value)?,
            "minimum_minutes" => rate.minimum_minutes = whole_number(label, key, value)?,
            "increment_minutes" => rate.increment_minutes = whole_number(label, key, value)?,
            "free_under_seconds" => rate.free_under_seconds = whole_number(label, key, value)?,
            "groupid" if group => groupid = Some(text(label, key, value)?),
            "groupname" if group => groupname = Some(text(label, key, value)?),
            other => {
                let allowed = if group {
                    "groupid, groupname, name, hourly_rate, currency, base_fee, minimum_minutes, \
                     increment_minutes, free_under_seconds"
                } else {
                    "name, hourly_rate, currency, base_fee, minimum_minutes, increment_minutes, \
                     free_under_seconds"
                };
                return Err(invalid(format!(
                    "{label}: unknown key \"{other}\" (allowed: {allowed})"
                )));
            }
        }
    }
    let missing = |key: &str| invalid(format!("{label}: {key} is missing"));
    rate.name = name.ok_or_else(|| missing("name"))?;
    rate.hourly_rate = hourly_rate.ok_or_else(|| missing("hourly_rate"))?;
    rate.currency = currency.ok_or_else(|| missing("currency"))?;
    Ok(GroupRate {
        groupid,
        groupname,
        rate,
    })
}

fn check_rate(label: &str, rate: &Rate) -> Result<()> {
    if rate.name.trim().is_empty() {
        return Err(invalid(format!("{label}: name must not be empty")));
    }
    let c = rate.currency.as_bytes();
    if c.len() != 3 || !c.iter().all(u8::is_ascii_uppercase) {
        return Err(invalid(format!(
            "{label}: currency must be three upper-case letters like \"EUR\", not {}",
            quoted(&rate.currency)
        )));
    }
    for (key, value) in [
        ("hourly_rate", rate.hourly_rate),
        ("base_fee", rate.base_fee),
    ] {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(invalid(format!("{label}: {key} must not be negative")));
        }
        if value > MAX_MONEY {
            return Err(invalid(format!(
                "{label}: {key} must be at most {MAX_MONEY}"
            )));
        }
    }
    if rate.increment_minutes == 0 {
        return Err(invalid(format!(
            "{label}: increment_minutes must be at least 1"
        )));
    }
    Ok(())
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn write_rate(out: &mut String, rate: &Rate) {
    let _ = writeln!(out, "name = {}", quoted(&rate.name));
    let _ = writeln!(out, "hourly_rate = \"{}\"", rate.hourly_rate);
    let _ = writeln!(out, "currency = {}", quoted(&rate.currency));
    let _ = writeln!(out, "base_fee = \"{}\"", rate.base_fee);
    let _ = writeln!(out, "minimum_minutes = {}", rate.minimum_minutes);
    let _ = writeln!(out, "increment_minutes = {}", rate.increment_minutes);
    let _ = writeln!(out, "free_under_seconds = {}", rate.free_under_seconds);
}
