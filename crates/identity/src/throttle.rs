//! Brute-force and credential-stuffing resistance, shared by every instance through the
//! database: failed logins are counted per account (keyed by the e-mail blind index, so unknown
//! addresses are throttled exactly like known ones), per client address and per network
//! (/24 for IPv4, /64 for IPv6). Failures beyond a free allowance add a growing delay; enough of
//! them lock the account for a while and tell its owner by mail.

use std::net::IpAddr;

use platform::db::{DbError, WriteTx, col};
use sqlx::AnyConnection;

/// Failures per window before any delay.
const FREE_FAILURES: i64 = 3;
/// Failures per window that lock an account.
pub(crate) const LOCK_AFTER: i64 = 10;
/// How long an account stays locked.
pub(crate) const LOCK_SECS: i64 = 30 * 60;
/// Failures from one address that block it.
const ADDRESS_LIMIT: i64 = 30;
/// Failures from one network that block it (many accounts tried from one range).
const NETWORK_LIMIT: i64 = 100;
/// Counting window; a quiet window resets the count.
const WINDOW_SECS: i64 = 30 * 60;
/// How long a blocked address or network waits.
const BLOCK_SECS: i64 = 15 * 60;

/// The counters one login attempt touches.
pub(crate) struct Keys {
    account: Option<String>,
    address: Option<String>,
    network: Option<String>,
}

impl Keys {
    /// Keys for an attempt on the customer account with this blind index, from this address.
    pub(crate) fn new(email_index: Option<&[u8]>, client: Option<IpAddr>) -> Self {
        Self::for_account(
            email_index.map(|i| format!("account:{}", hex_of(i))),
            client,
        )
    }

    /// Keys for an attempt on the staff account with this (valid) user name, from this address.
    pub(crate) fn staff(username: Option<&str>, client: Option<IpAddr>) -> Self {
        Self::for_account(username.map(|u| format!("staff:{u}")), client)
    }

    fn for_account(account: Option<String>, client: Option<IpAddr>) -> Self {
        Self {
            account,
            address: client.map(|ip| format!("address:{ip}")),
            network: client.map(|ip| format!("network:{}", network_of(ip))),
        }
    }

    fn all(&self) -> impl Iterator<Item = &String> {
        [&self.account, &self.address, &self.network]
            .into_iter()
            .flatten()
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn network_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// Seconds until any of the keys may try again, if any is blocked.
pub(crate) async fn blocked_for(
    conn: &mut AnyConnection,
    keys: &Keys,
    now: i64,
) -> Result<Option<i64>, DbError> {
    let mut longest = None;
    for key in keys.all() {
        let row = sqlx::query("SELECT blocked_until FROM auth_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(row) = row {
            let until: i64 = col(&row, "blocked_until")?;
            if until > now {
                longest = Some(longest.map_or(until - now, |l: i64| l.max(until - now)));
            }
        }
    }
    Ok(longest)
}

/// Counts a failure on every key; returns true when this failure locked the account.
pub(crate) async fn record_failure(
    tx: &mut WriteTx,
    keys: &Keys,
    now: i64,
) -> Result<bool, DbError> {
    let mut locked_now = false;
    for (key, kind) in [
        (&keys.account, Kind::Account),
        (&keys.address, Kind::Address),
        (&keys.network, Kind::Network),
    ] {
        let Some(key) = key else { continue };
        let failures = bump(tx, key, now).await?;
        let wait = kind.wait_after(failures);
        if wait > 0 {
            // `now` is in whole seconds: ending the block a second later makes it last at
            // least `wait` seconds, however late in its second the failure came.
            sqlx::query("UPDATE auth_throttle SET blocked_until = $1 WHERE key = $2")
                .bind(now + wait + 1)
                .bind(key)
                .execute(&mut **tx)
                .await?;
        }
        locked_now |= kind == Kind::Account && failures == LOCK_AFTER;
    }
    Ok(locked_now)
}

/// Counts one event on `key` within the window; returns the count so far.
async fn bump(tx: &mut WriteTx, key: &str, now: i64) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO auth_throttle (key, failures, window_start, blocked_until) VALUES ($1, 1, $2, 0) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN auth_throttle.window_start <= $3 THEN 1 ELSE auth_throttle.failures + 1 END, \
           window_start = CASE WHEN auth_throttle.window_start <= $3 THEN $2 ELSE auth_throttle.window_start END \
         RETURNING failures",
    )
    .bind(key)
    .bind(now)
    .bind(now - WINDOW_SECS)
    .fetch_one(&mut **tx)
    .await?;
    col(&row, "failures")
}

/// Mails that anonymous visitors may cause to one address per window (reset links, "already
/// registered" notices): beyond it nothing is sent, and the visitor sees the same page, so the
/// form cannot be used to flood someone's mailbox.
const MAIL_LIMIT: i64 = 5;

/// Counts a mail requested for the address with this blind index; false once over the limit.
pub(crate) async fn allow_mail(
    tx: &mut WriteTx,
    email_index: &[u8],
    now: i64,
) -> Result<bool, DbError> {
    Ok(bump(tx, &format!("mail:{}", hex_of(email_index)), now).await? <= MAIL_LIMIT)
}

/// A successful login forgets the account's failures (not the address's).
pub(crate) async fn clear_account(tx: &mut WriteTx, keys: &Keys) -> Result<(), DbError> {
    if let Some(key) = &keys.account {
        sqlx::query("DELETE FROM auth_throttle WHERE key = $1")
            .bind(key)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Forgets counters whose window and block have both passed; run periodically.
pub(crate) async fn prune(tx: &mut WriteTx, now: i64) -> Result<u64, DbError> {
    let done =
        sqlx::query("DELETE FROM auth_throttle WHERE window_start <= $1 AND blocked_until <= $2")
            .bind(now - WINDOW_SECS)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Account,
    Address,
    Network,
}

impl Kind {
    /// Seconds to wait after the `failures`-th failure in a window.
    fn wait_after(self, failures: i64) -> i64 {
        match self {
            Kind::Account if failures >= LOCK_AFTER => LOCK_SECS,
            Kind::Account if failures > FREE_FAILURES => {
                1 << (failures - FREE_FAILURES - 1).min(10)
            }
            Kind::Address if failures >= ADDRESS_LIMIT => BLOCK_SECS,
            Kind::Network if failures >= NETWORK_LIMIT => BLOCK_SECS,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_lock() {
        let waits: Vec<i64> = (1..=10).map(|n| Kind::Account.wait_after(n)).collect();
        assert_eq!(waits, vec![0, 0, 0, 1, 2, 4, 8, 16, 32, LOCK_SECS]);
        assert_eq!(Kind::Address.wait_after(29), 0);
        assert_eq!(Kind::Address.wait_after(30), BLOCK_SECS);
        assert_eq!(Kind::Network.wait_after(100), BLOCK_SECS);
    }

    #[test]
    fn networks_group_neighbouring_addresses() {
        assert_eq!(
            network_of("203.0.113.77".parse().unwrap()),
            "203.0.113.0/24"
        );
        assert_eq!(
            network_of("2001:db8:1:2:3:4:5:6".parse().unwrap()),
            "2001:db8:1:2::/64"
        );
        let keys = Keys::new(Some(&[0xab, 0x01]), Some("192.0.2.1".parse().unwrap()));
        assert_eq!(
            keys.all().cloned().collect::<Vec<_>>(),
            vec!["account:ab01", "address:192.0.2.1", "network:192.0.2.0/24"]
        );
    }
}
