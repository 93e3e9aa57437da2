//! Reading and changing a customer's own details. Personal fields are sealed with the
//! customer's data key and bound to their row and column.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::DataKey;
use platform::i18n::Locale;
use platform::ids::CustomerId;
use platform::time_util::now_unix;
use sqlx::AnyConnection;
use time::Date;

use crate::fields::{BirthDate, KanaName, KanjiName, NewPassword};
use crate::mails::FactorChange;
use crate::reset::password_error;
use crate::store::{self, CustomerStatus, ProfileFields};
use crate::{Identity, IdentityError};

/// A customer's details, decrypted for their own eyes.
#[derive(Clone, Debug)]
pub struct Profile {
    /// Who.
    pub id: CustomerId,
    /// Login address.
    pub email: String,
    /// Name in kanji.
    pub name_kanji: String,
    /// Name in katakana.
    pub name_kana: String,
    /// Date of birth.
    pub birth_date: Date,
    /// Preferred language.
    pub locale: Locale,
    /// Account state.
    pub status: CustomerStatus,
}

/// Changes a customer may make to their details.
pub struct ProfileUpdate {
    /// Name in kanji.
    pub name_kanji: KanjiName,
    /// Name in katakana.
    pub name_kana: KanaName,
    /// Date of birth.
    pub birth_date: BirthDate,
    /// Preferred language.
    pub locale: Locale,
}

pub(crate) fn seal(key: &DataKey, id: CustomerId, field: &str, value: &str) -> Vec<u8> {
    key.seal(
        value.as_bytes(),
        format!("customer:{id}:{field}").as_bytes(),
    )
}

pub(crate) fn open(
    key: &DataKey,
    id: CustomerId,
    field: &str,
    sealed: &[u8],
) -> Result<String, IdentityError> {
    Ok(key.open_string(sealed, format!("customer:{id}:{field}").as_bytes())?)
}

pub(crate) fn birth_date_text(date: Date) -> String {
    platform::fields::iso_date(date)
}

impl Identity {
    /// A customer's own details.
    pub async fn profile(&self, id: CustomerId) -> Result<Profile, IdentityError> {
        let mut conn = self.db.reader().await?;
        self.decrypt_profile(&mut conn, id).await
    }

    /// True while the customer may use the service: verified, neither disabled nor deleted.
    /// Token grants ask this before issuing anything.
    pub async fn is_active(&self, id: CustomerId) -> Result<bool, IdentityError> {
        let mut tx = self.db.read().await?;
        let row = store::customer_by_id(&mut tx, id).await?;
        Ok(row.is_some_and(|c| c.status == store::CustomerStatus::Active))
    }

    pub(crate) async fn decrypt_profile(
        &self,
        conn: &mut AnyConnection,
        id: CustomerId,
    ) -> Result<Profile, IdentityError> {
        let row = store::customer_by_id(conn, id)
            .await?
            .ok_or(IdentityError::NotLoggedIn)?;
        let key = self
            .keyring
            .customer_key(conn, id)
            .await?
            .ok_or(IdentityError::Shredded)?;
        let birth = open(&key, id, "birth_date", &row.birth_date_enc)?;
        Ok(Profile {
            id,
            email: open(&key, id, "email", &row.email_enc)?,
            name_kanji: open(&key, id, "name_kanji", &row.name_kanji_enc)?,
            name_kana: open(&key, id, "name_kana", &row.name_kana_enc)?,
            birth_date: Date::parse(
                &birth,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| IdentityError::Crypto(platform::crypto::CryptoError::Format))?,
            locale: row.locale,
            status: row.status,
        })
    }

    /// Replaces name, reading, date of birth and language.
    pub async fn update_profile(
        &self,
        id: CustomerId,
        update: ProfileUpdate,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let mut tx = self.db.write().await?;
        let key = self
            .keyring
            .customer_key(&mut tx, id)
            .await?
            .ok_or(IdentityError::Shredded)?;
        let fields = ProfileFields {
            name_kanji_enc: seal(&key, id, "name_kanji", update.name_kanji.as_str()),
            name_kana_enc: seal(&key, id, "name_kana", update.name_kana.as_str()),
            birth_date_enc: seal(
                &key,
                id,
                "birth_date",
                &birth_date_text(update.birth_date.date()),
            ),
            locale: update.locale,
        };
        store::update_profile(&mut tx, id, fields, now_unix()).await?;
        crate::directory::write_name_index(
            &self.keyring,
            &mut tx,
            id,
            update.name_kanji.as_str(),
            update.name_kana.as_str(),
        )
        .await?;
        let event = Event {
            actor: Actor::customer(id),
            action: "customer.profile_update",
            target: Target::customer(id),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes the password after checking the current one; other sessions end.
    pub async fn change_password(
        &self,
        id: CustomerId,
        current: &str,
        new: &str,
        confirmation: &str,
        keep_session: &str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let profile = self.profile(id).await?;
        self.check_password(id, current, "customer.password_change", meta)
            .await?;
        let personal = [
            profile.email.as_str(),
            profile.name_kanji.as_str(),
            profile.name_kana.as_str(),
        ];
        let new = NewPassword::parse(new, confirmation, &personal).map_err(password_error)?;
        let hash = self.hasher.hash(new.expose()).await?;
        let mut tx = self.db.write().await?;
        let now = now_unix();
        store::set_password_hash(&mut tx, id, &hash, now).await?;
        store::delete_other_sessions(
            &mut tx,
            id,
            &platform::crypto::SecretToken::hash(keep_session),
        )
        .await?;
        store::revoke_grants_of(&mut tx, id, now, "password_change").await?;
        let event = Event {
            actor: Actor::customer(id),
            action: "customer.password_change",
            target: Target::customer(id),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        self.notify_factor_change(&mut tx, id, FactorChange::PasswordChanged)
            .await?;
        tx.commit().await?;
        self.outbox.wake();
        Ok(())
    }

    /// Verifies a logged-in customer's password before a sensitive step; a wrong one is audited
    /// under `action`. The checks have their own budget per account (`throttle`), so a stolen
    /// session cannot be used to guess the password: once it is spent the answer is `Throttled`,
    /// the right password included, until the lock ends.
    pub(crate) async fn check_password(
        &self,
        id: CustomerId,
        password: &str,
        action: &'static str,
        meta: &RequestMeta,
    ) -> Result<(), IdentityError> {
        let stored = {
            let mut tx = self.db.read().await?;
            store::customer_by_id(&mut tx, id)
                .await?
                .ok_or(IdentityError::NotLoggedIn)?
                .password_hash
        };
        self.budgeted_password(
            &crate::mfa::Owner::Customer(id),
            &stored,
            password,
            action,
            meta,
        )
        .await
    }
}
