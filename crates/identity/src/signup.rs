//! Sign-up: the account is created unverified and a confirmation link is mailed. When the
//! address is already registered, the owner is told by mail instead, and the visitor sees the
//! same page either way.

use platform::audit::{self, Actor, Event, Outcome, RequestMeta, Target};
use platform::crypto::SecretToken;
use platform::db::WriteTx;
use platform::i18n::Locale;
use platform::ids::CustomerId;
use platform::time_util::now_unix;

use crate::fields::{BirthDate, Email, KanaName, KanjiName, NewPassword};
use crate::mails::MailKind;
use crate::profile::{birth_date_text, seal};
use crate::store::{self, CustomerStatus, NewCustomer, Purpose};
use crate::{Identity, IdentityError};

/// How long a verification link stays valid.
pub(crate) const VERIFY_TTL_SECS: i64 = 24 * 3600;

/// A sign-up whose fields passed validation.
pub struct SignupRequest {
    /// Login address.
    pub email: Email,
    /// Name in kanji.
    pub name_kanji: KanjiName,
    /// Name in katakana.
    pub name_kana: KanaName,
    /// Date of birth.
    pub birth_date: BirthDate,
    /// Chosen password.
    pub password: NewPassword,
    /// Language for mails and pages.
    pub locale: Locale,
}

impl Identity {
    /// Registers a customer, or quietly tells the owner of an existing account. Returns the value
    /// of the sign-up browser cookie: with it, the verification link confirms the address in this
    /// browser without asking for the password (see [`Identity::verify_email`]). It looks the
    /// same whether or not an account was created.
    pub async fn sign_up(
        &self,
        req: SignupRequest,
        meta: &RequestMeta,
    ) -> Result<String, IdentityError> {
        let password_hash = self.hasher.hash(req.password.expose()).await?;
        let index = self.keyring.email_index(req.email.as_str());
        let decoy = signup_binding(&self.keyring, &SecretToken::generate().plain);
        let mut tx = self.db.write().await?;
        if let Some(existing) = store::customer_by_email(&mut tx, &index).await? {
            audit_signup(&mut tx, existing.id, Outcome::Failure, meta).await?;
            let allowed = crate::throttle::allow_mail(&mut tx, &index.0, now_unix()).await?;
            if allowed {
                let (status, locale) = (existing.status, existing.locale);
                self.notify_existing(&mut tx, existing.id, status, locale, req.email)
                    .await?;
            }
            tx.commit().await?;
            if allowed {
                self.outbox.wake();
            }
            return Ok(decoy);
        }
        let id = CustomerId::new();
        let key = self.keyring.create_customer_key(&mut tx, id).await?;
        let new = sealed(&key, id, &req, &index, password_hash);
        let now = now_unix();
        if let Err(e) = store::insert_customer(&mut tx, new, now).await {
            // Two sign-ups with one address at the same moment: the second behaves as above.
            return if e.is_unique_violation() {
                Ok(decoy)
            } else {
                Err(e.into())
            };
        }
        crate::directory::index_new_customer(&self.keyring, &mut tx, id, &req).await?;
        let token = SecretToken::generate();
        store::insert_token(
            &mut tx,
            &token.hash,
            id,
            Purpose::VerifyEmail,
            now + VERIFY_TTL_SECS,
        )
        .await?;
        audit_signup(&mut tx, id, Outcome::Success, meta).await?;
        let link = self.link(&format!("verify/{}", token.plain));
        let to = req.email.as_str().to_owned();
        self.queue_mail_in(&mut tx, MailKind::Verify { link }, req.locale, to)
            .await?;
        tx.commit().await?;
        self.outbox.wake();
        tracing::info!(customer = %id, "customer signed up");
        Ok(signup_binding(&self.keyring, &token.plain))
    }

    /// Registers a customer whose address needs no confirmation (demo data, staff tools).
    /// Returns `None` when the address is already registered.
    pub async fn create_active_customer(
        &self,
        req: SignupRequest,
        meta: &RequestMeta,
    ) -> Result<Option<CustomerId>, IdentityError> {
        let password_hash = self.hasher.hash(req.password.expose()).await?;
        let index = self.keyring.email_index(req.email.as_str());
        let mut tx = self.db.write().await?;
        if store::customer_by_email(&mut tx, &index).await?.is_some() {
            return Ok(None);
        }
        let id = CustomerId::new();
        let key = self.keyring.create_customer_key(&mut tx, id).await?;
        let new = sealed(&key, id, &req, &index, password_hash);
        let now = now_unix();
        store::insert_customer(&mut tx, new, now).await?;
        crate::directory::index_new_customer(&self.keyring, &mut tx, id, &req).await?;
        store::set_status(&mut tx, id, CustomerStatus::Active, now).await?;
        let event = Event {
            actor: Actor::system("seed"),
            action: "customer.create",
            target: Target::customer(id),
            outcome: Outcome::Success,
        };
        audit::append(&mut tx, &event, meta).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn notify_existing(
        &self,
        tx: &mut WriteTx,
        id: CustomerId,
        status: CustomerStatus,
        locale: Locale,
        email: Email,
    ) -> Result<(), IdentityError> {
        match status {
            CustomerStatus::Unverified => self.verification_in(tx, id, locale, email).await,
            CustomerStatus::Active => {
                let kind = MailKind::AlreadyRegistered {
                    login_link: self.link("login"),
                    reset_link: self.link("password/forgot"),
                };
                self.queue_mail_in(tx, kind, locale, email.as_str().to_owned())
                    .await
            }
            CustomerStatus::Disabled => Ok(()),
        }
    }

    /// Mails a fresh verification link to an unverified customer.
    pub(crate) async fn send_verification(
        &self,
        id: CustomerId,
        locale: Locale,
        email: Email,
    ) -> Result<(), IdentityError> {
        let mut tx = self.db.write().await?;
        self.verification_in(&mut tx, id, locale, email).await?;
        tx.commit().await?;
        self.outbox.wake();
        Ok(())
    }

    /// A fresh verification link and its mail, in the caller's transaction.
    async fn verification_in(
        &self,
        tx: &mut WriteTx,
        id: CustomerId,
        locale: Locale,
        email: Email,
    ) -> Result<(), IdentityError> {
        let token = SecretToken::generate();
        store::insert_token(
            tx,
            &token.hash,
            id,
            Purpose::VerifyEmail,
            now_unix() + VERIFY_TTL_SECS,
        )
        .await?;
        let link = self.link(&format!("verify/{}", token.plain));
        self.queue_mail_in(
            tx,
            MailKind::Verify { link },
            locale,
            email.as_str().to_owned(),
        )
        .await
    }
}

/// The sign-up browser cookie's value for the verification link with this token: a keyed
/// hash, so nobody can make one without the server's key.
fn signup_binding(keyring: &platform::crypto::Keyring, token: &str) -> String {
    keyring.form_token(&format!("signup-browser:{token}"))
}

/// True when `cookie` is the sign-up browser cookie for the link with this token.
pub(crate) fn signup_binding_matches(
    keyring: &platform::crypto::Keyring,
    token: &str,
    cookie: &str,
) -> bool {
    keyring.form_token_matches(&format!("signup-browser:{token}"), cookie)
}

fn sealed<'a>(
    key: &platform::crypto::DataKey,
    id: CustomerId,
    req: &SignupRequest,
    index: &'a platform::crypto::EmailIndex,
    password_hash: String,
) -> NewCustomer<'a> {
    NewCustomer {
        id,
        email_index: index,
        email_enc: seal(key, id, "email", req.email.as_str()),
        name_kanji_enc: seal(key, id, "name_kanji", req.name_kanji.as_str()),
        name_kana_enc: seal(key, id, "name_kana", req.name_kana.as_str()),
        birth_date_enc: seal(
            key,
            id,
            "birth_date",
            &birth_date_text(req.birth_date.date()),
        ),
        password_hash,
        locale: req.locale,
    }
}

async fn audit_signup(
    tx: &mut platform::db::WriteTx,
    id: CustomerId,
    outcome: Outcome,
    meta: &RequestMeta,
) -> Result<(), IdentityError> {
    let event = Event {
        actor: Actor::anonymous(),
        action: "customer.signup",
        target: Target::customer(id),
        outcome,
    };
    audit::append(tx, &event, meta).await?;
    Ok(())
}
