//! `[backup]`: when the daily backup runs, where its copies go, how long they are kept and
//! whether credentials go with them.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use super::{ConfigError, SecretString};

/// The application's own backups (O1, X2).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct BackupConfig {
    /// Whether the worker runs the schedule; `assetstatus backup` works either way.
    pub scheduled: bool,
    /// Cron expression (minute hour day-of-month month day-of-week, with an optional leading
    /// seconds field) in `utc_offset` time.
    pub schedule: String,
    /// Offset of the schedule's clock from UTC; `+09:00` is Japan Standard Time, which has no
    /// daylight saving time.
    pub utc_offset: String,
    /// Keep a copy in a local directory.
    pub local: bool,
    /// Directory of the local copies; `<data_dir>/backups` when unset.
    pub local_dir: Option<PathBuf>,
    /// A copy in an S3 bucket, in production one in another region.
    pub s3: Option<S3Location>,
    /// Also back up password hashes and second-factor secrets. Off: after a restore every
    /// customer sets a new password by mail and enrols their second factor again.
    pub include_credentials: bool,
    /// Test-restore every backup into a scratch database before counting it as good.
    pub drill: bool,
    /// How many backups to keep.
    pub retention: Retention,
    /// Seconds after a failed scheduled backup before a worker tries the same instant again
    /// (until the next instant comes). An interrupted run (its process stopped or died) is
    /// taken over at once, without this wait.
    pub retry_seconds: i64,
    /// Seconds the backup lease lasts unless renewed (every third of it while running): how
    /// long other workers wait before taking over from a worker that died mid-backup.
    pub lease_seconds: i64,
}

/// Grandfather-father-son retention: the newest backup of each of the last `daily` days,
/// `weekly` weeks and `monthly` months (in the schedule's clock) is kept, and every backup
/// younger than `within_hours`, so a backup taken by hand never removes the night's.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Retention {
    /// Days with a kept backup.
    pub daily: u32,
    /// Weeks (Monday to Sunday) with a kept backup.
    pub weekly: u32,
    /// Calendar months with a kept backup.
    pub monthly: u32,
    /// Hours during which every backup is kept.
    pub within_hours: u32,
}

/// A bucket (and key prefix) of an S3-compatible object store.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct S3Location {
    /// Bucket name.
    pub bucket: String,
    /// Region of the bucket.
    #[serde(default = "default_region")]
    pub region: String,
    /// Endpoint of an S3-compatible server; AWS itself when unset.
    #[serde(default)]
    pub endpoint: Option<Url>,
    /// Key prefix inside the bucket.
    #[serde(default)]
    pub prefix: Option<String>,
    /// Access key ID; when unset, credentials come from the environment (an ECS task role).
    #[serde(default)]
    pub access_key_id: Option<String>,
    /// Secret access key belonging to `access_key_id`.
    #[serde(default)]
    pub secret_access_key: Option<SecretString>,
}

fn default_region() -> String {
    "ap-northeast-1".to_owned()
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self {
            scheduled: true,
            schedule: "0 2 * * *".to_owned(),
            utc_offset: "+09:00".to_owned(),
            local: true,
            local_dir: None,
            s3: None,
            include_credentials: false,
            drill: true,
            retention: Retention::default(),
            retry_seconds: 900,
            lease_seconds: 60,
        }
    }
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            daily: 7,
            weekly: 4,
            monthly: 12,
            within_hours: 24,
        }
    }
}

impl BackupConfig {
    /// The directory of the local copies.
    pub fn local_dir(&self, data_dir: &Path) -> PathBuf {
        self.local_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("backups"))
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        self.schedule()?;
        let invalid = |key, reason: &str| {
            Err(ConfigError::Invalid {
                key,
                reason: reason.to_owned(),
            })
        };
        if !self.local && self.s3.is_none() {
            return invalid(
                "backup.local",
                "backups need a destination: keep `local = true` or configure `[backup.s3]`",
            );
        }
        if self.retention.daily == 0 {
            return invalid(
                "backup.retention.daily",
                "must keep at least the newest backup (1 or more)",
            );
        }
        if !(1..=86_400).contains(&self.retry_seconds) {
            return invalid("backup.retry_seconds", "must be between 1 and 86400");
        }
        if !(3..=3_600).contains(&self.lease_seconds) {
            return invalid("backup.lease_seconds", "must be between 3 and 3600");
        }
        if let Some(s3) = &self.s3 {
            if s3.bucket.trim().is_empty() {
                return invalid("backup.s3.bucket", "must name a bucket");
            }
            if let Some(endpoint) = &s3.endpoint
                && !matches!(endpoint.scheme(), "http" | "https")
            {
                return invalid("backup.s3.endpoint", "must start with https://");
            }
        }
        Ok(())
    }
}

/// The parsed `schedule` and `utc_offset`: which instants a backup is due at.
#[derive(Clone, Debug)]
pub struct Schedule {
    cron: croner::Cron,
    offset: chrono::FixedOffset,
}

impl Schedule {
    /// The latest scheduled instant at or before `unix` (seconds), if the pattern ever matched.
    pub fn latest_at_or_before(&self, unix: i64) -> Option<i64> {
        let at = chrono::DateTime::from_timestamp(unix, 0)?.with_timezone(&self.offset);
        self.cron
            .find_previous_occurrence(&at, true)
            .ok()
            .map(|slot| slot.timestamp())
    }

    /// Seconds the schedule's clock is ahead of UTC, for grouping backups by local day.
    pub fn offset_seconds(&self) -> i64 {
        i64::from(self.offset.local_minus_utc())
    }

    /// The first scheduled instant after `unix` (seconds).
    pub fn next_after(&self, unix: i64) -> Option<i64> {
        let at = chrono::DateTime::from_timestamp(unix, 0)?.with_timezone(&self.offset);
        self.cron
            .find_next_occurrence(&at, false)
            .ok()
            .map(|slot| slot.timestamp())
    }
}

impl BackupConfig {
    /// The schedule, or which key is wrong.
    pub fn schedule(&self) -> Result<Schedule, ConfigError> {
        let cron = self
            .schedule
            .parse::<croner::Cron>()
            .map_err(|e| ConfigError::Invalid {
                key: "backup.schedule",
                reason: format!("not a cron expression (minute hour day month weekday): {e}"),
            })?;
        let offset = self
            .utc_offset
            .parse::<chrono::FixedOffset>()
            .map_err(|_| ConfigError::Invalid {
                key: "backup.utc_offset",
                reason: "must be an offset such as +09:00".to_owned(),
            })?;
        Ok(Schedule { cron, offset })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_is_two_in_the_morning_japan_time() {
        let schedule = BackupConfig::default().schedule().unwrap();
        // 2026-11-21 03:00 JST = 2026-11-20 18:00 UTC.
        let three_am = 1795197600;
        let slot = schedule.latest_at_or_before(three_am).unwrap();
        assert_eq!(three_am - slot, 3600);
        assert_eq!(slot % 86_400, 17 * 3600, "02:00 JST is 17:00 UTC");
        assert_eq!(schedule.next_after(slot).unwrap() - slot, 86_400);
    }

    #[test]
    fn bad_schedules_and_offsets_name_their_key() {
        let mut config = BackupConfig {
            schedule: "every night".to_owned(),
            ..BackupConfig::default()
        };
        assert!(matches!(
            config.schedule(),
            Err(ConfigError::Invalid {
                key: "backup.schedule",
                ..
            })
        ));
        config.schedule = "0 2 * * *".to_owned();
        config.utc_offset = "Tokyo".to_owned();
        assert!(matches!(
            config.schedule(),
            Err(ConfigError::Invalid {
                key: "backup.utc_offset",
                ..
            })
        ));
    }

    #[test]
    fn a_backup_needs_a_destination() {
        let config = BackupConfig {
            local: false,
            ..BackupConfig::default()
        };
        assert!(config.validate().is_err());
    }
}
