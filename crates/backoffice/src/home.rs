//! The back office's cards on the staff home: the operator's own open cases, new applications
//! nobody has taken, approvals waiting for a second operator, and open applications past their
//! service-level target, each linking to the queue.

use async_trait::async_trait;
use console::home_cards::{HomeCard, HomeCards, HomeFigure};
use identity::staff::{StaffRole, StaffSession};
use pages::error::WebError;
use platform::business_calendar::Deadline;
use platform::i18n::{Arg, Locale};
use platform::time_util::now_unix;

use crate::BackOfficeState;

fn count(locale: Locale, n: i64) -> String {
    locale.t_args("staff-home-count", &[("n", Arg::from(n))])
}

#[async_trait]
impl HomeCards for BackOfficeState {
    async fn cards(&self, who: &StaffSession, locale: Locale) -> Result<Vec<HomeCard>, WebError> {
        if !who.roles.has(StaffRole::Operator) {
            return Ok(Vec::new());
        }
        let work = self.applications.workload(who.id).await?;
        let overdue = self.overdue().await?;
        let figure = |key: &str, n: i64, view: &str| HomeFigure {
            label: locale.t(key),
            value: count(locale, n),
            href: format!("/staff/applications?view={view}"),
            attention: false,
        };
        Ok(vec![HomeCard {
            title: locale.t("staff-home-applications"),
            figures: vec![
                figure("staff-home-mine", work.mine, "mine"),
                figure("queue-view-new", work.new, "new"),
                figure(
                    "queue-view-awaiting-second",
                    work.awaiting_confirmation,
                    "awaiting-second",
                ),
                HomeFigure {
                    attention: overdue > 0,
                    ..figure("staff-home-overdue", overdue, "open")
                },
            ],
        }])
    }

    async fn new_applications(&self, who: &StaffSession) -> Result<i64, WebError> {
        if !who.roles.has(StaffRole::Operator) {
            return Ok(0);
        }
        Ok(self.applications.unopened_count().await?)
    }
}

impl BackOfficeState {
    /// Open applications past their service-level target.
    async fn overdue(&self) -> Result<i64, WebError> {
        let now = now_unix();
        let work = &self.work;
        let late = self
            .applications
            .open_submission_times()
            .await?
            .into_iter()
            .filter(|at| {
                matches!(
                    work.calendar.deadline(*at, work.service_level_days, now),
                    Deadline::Overdue { .. }
                )
            })
            .count();
        Ok(i64::try_from(late).unwrap_or(i64::MAX))
    }
}
