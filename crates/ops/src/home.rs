//! The operations console's card on the staff home: unacknowledged alerts and the latest
//! backup, each highlighted when it needs an administrator.

use async_trait::async_trait;
use console::home_cards::{HomeCard, HomeCards, HomeFigure};
use identity::staff::{StaffRole, StaffSession};
use pages::error::WebError;
use platform::i18n::{Arg, Locale};

use crate::alerts::incidents;
use crate::{OpsState, probes};

#[async_trait]
impl HomeCards for OpsState {
    async fn cards(&self, who: &StaffSession, locale: Locale) -> Result<Vec<HomeCard>, WebError> {
        if !who.roles.has(StaffRole::Admin) {
            return Ok(Vec::new());
        }
        let alerts = incidents::unacknowledged(&self.db).await?;
        let backup = probes::last_backup(&self.db).await?;
        let (backup_value, backup_failing) = match &backup {
            None => (locale.t("ops-backup-none"), true),
            Some(run) => {
                let outcome = if run.succeeded {
                    "ops-backup-ok"
                } else {
                    "ops-backup-failed"
                };
                let args = [
                    ("outcome", Arg::from(locale.t(outcome))),
                    (
                        "at",
                        Arg::from(ui::format::timestamp(run.finished_at, locale)),
                    ),
                ];
                (locale.t_args("staff-home-backup", &args), !run.succeeded)
            }
        };
        Ok(vec![HomeCard {
            title: locale.t("staff-home-system"),
            figures: vec![
                HomeFigure {
                    label: locale.t("ops-open-alerts"),
                    value: locale.t_args("staff-home-count", &[("n", Arg::from(alerts))]),
                    href: "/ops/alerts".to_owned(),
                    attention: alerts > 0,
                },
                HomeFigure {
                    label: locale.t("ops-backup"),
                    value: backup_value,
                    href: "/ops/backups".to_owned(),
                    attention: backup_failing,
                },
            ],
        }])
    }
}
