//! The settings hub: the customer's own details, password and language, with links to the
//! login and security pages (two-step verification, passkeys, devices) and to account deletion.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use identity::{BirthDate, IdentityError, KanaName, KanjiName, Profile, ProfileUpdate};
use platform::fields::{FieldError, FormErrors};
use platform::i18n::Locale;
use platform::time_util::{now_unix, today_jst};
use serde::Deserialize;

use crate::AppState;
use crate::visitor::{Customer, reauth_path};
use pages::chrome::{Chrome, FormState, render};
use pages::cookies::{self, Kind};
use pages::csrf::CsrfForm;
use pages::error::PageResult;
use pages::error::WebError;
use pages::notice::{Notice, redirect};

/// The profile form's fields.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    name_kanji: String,
    name_kana: String,
    birth_date: String,
    locale: String,
}

/// The password form's fields.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    password: String,
    password_confirm: String,
}

/// Where the login and security settings stand, for the hub's summary rows.
struct Security {
    two_step: bool,
    passkeys: i64,
    sessions: i64,
}

async fn security(state: &AppState, customer: &Customer) -> Result<Security, WebError> {
    let token = customer
        .visitor
        .session_token
        .as_deref()
        .ok_or(WebError::LoginRequired)?;
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    Ok(Security {
        two_step: state.identity.mfa_state(customer.id).await?.enabled,
        passkeys: count(state.identity.customer_passkeys(customer.id).await?.len()),
        sessions: count(state.identity.sessions_of(customer.id, token).await?.len()),
    })
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    c: Chrome,
    email: String,
    /// The customer number, `1234-5678-9` (none only before the start-up backfill ran).
    customer_number: Option<String>,
    /// What the details form shows: the stored details, or what was just refused.
    v: ProfileForm,
    /// The stored details, which the details and language forms each send back unchanged.
    saved: ProfileForm,
    form: FormState,
    password_form: FormState,
    security: Security,
}

fn values(p: &Profile) -> ProfileForm {
    ProfileForm {
        name_kanji: p.name_kanji.clone(),
        name_kana: p.name_kana.clone(),
        birth_date: platform::fields::iso_date(p.birth_date),
        locale: p.locale.code().to_owned(),
    }
}

/// The hub, with `v` in the details form (the stored details unless some were refused).
async fn show(
    state: &AppState,
    customer: &Customer,
    c: Chrome,
    v: Option<ProfileForm>,
    form: FormState,
    password_form: FormState,
    status: StatusCode,
) -> PageResult {
    let profile = state.identity.profile(customer.id).await?;
    let saved = values(&profile);
    let customer_number = state
        .identity
        .customer_number(customer.id)
        .await?
        .map(|n| n.to_string());
    let page = ProfilePage {
        c,
        customer_number,
        v: v.unwrap_or_else(|| values(&profile)),
        email: profile.email,
        saved,
        form,
        password_form,
        security: security(state, customer).await?,
    };
    Ok((status, Html(render(&page)?)).into_response())
}

/// `GET /profile`.
pub async fn page(State(state): State<AppState>, customer: Customer) -> PageResult {
    let c = customer.visitor.chrome();
    let locale = customer.visitor.locale;
    show(
        &state,
        &customer,
        c,
        None,
        FormState::fresh(locale),
        FormState::fresh(locale),
        StatusCode::OK,
    )
    .await
}

/// `POST /profile`.
pub async fn update(
    State(state): State<AppState>,
    customer: Customer,
    CsrfForm(f): CsrfForm<ProfileForm>,
) -> PageResult {
    let mut errors = FormErrors::default();
    let name_kanji = errors.check("name_kanji", KanjiName::parse(&f.name_kanji));
    let name_kana = errors.check("name_kana", KanaName::parse(&f.name_kana));
    let birth_date = errors.check("birth_date", BirthDate::parse(&f.birth_date, today_jst()));
    let locale = errors.check(
        "locale",
        Locale::from_code(&f.locale).ok_or(FieldError::UnknownChoice),
    );
    let (Some(name_kanji), Some(name_kana), Some(birth_date), Some(locale)) =
        (name_kanji, name_kana, birth_date, locale)
    else {
        let l = customer.visitor.locale;
        return show(
            &state,
            &customer,
            customer.visitor.chrome(),
            Some(f),
            FormState::with(l, errors),
            FormState::fresh(l),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let saved = state.identity.profile(customer.id).await?;
    let name_changed =
        saved.name_kanji != name_kanji.as_str() || saved.name_kana != name_kana.as_str();
    let identity_changed = name_changed || saved.birth_date != birth_date.date();
    let recent = customer
        .visitor
        .session
        .as_ref()
        .is_some_and(|s| s.recently_authenticated(now_unix()));
    if identity_changed && !recent {
        // The language alone may change freely; who the customer is needs a fresh proof.
        return Ok(Redirect::to(&reauth_path("/profile")).into_response());
    }
    let update = ProfileUpdate {
        name_kanji,
        name_kana,
        birth_date,
        locale,
    };
    let meta = &customer.visitor.meta;
    // The approval is withdrawn first: should the change then fail, the application is only
    // checked again, never left approved for a name nobody checked.
    let recheck = name_changed
        && state
            .applications
            .recheck_after_name_change(customer.id, meta)
            .await?;
    state
        .identity
        .update_profile(customer.id, update, meta)
        .await?;
    let notice = if recheck {
        Notice::NameRecheck
    } else {
        Notice::ProfileSaved
    };
    let jar = CookieJar::new().add(cookies::build(Kind::Lang, false, locale.code().to_owned()));
    Ok((jar, redirect("/profile", notice)).into_response())
}

/// `POST /profile/password`: other sessions end; this one stays.
pub async fn change_password(
    State(state): State<AppState>,
    customer: Customer,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> PageResult {
    let keep = customer
        .visitor
        .session_token
        .clone()
        .ok_or(WebError::LoginRequired)?;
    let result = state
        .identity
        .change_password(
            customer.id,
            &f.current_password,
            &f.password,
            &f.password_confirm,
            &keep,
            &customer.visitor.meta,
        )
        .await;
    let errors = match result {
        Ok(()) => return Ok(redirect("/profile", Notice::PasswordChanged).into_response()),
        Err(IdentityError::InvalidCredentials) => {
            FormErrors(vec![("current_password", FieldError::IncorrectPassword)])
        }
        Err(IdentityError::Invalid(errors)) => errors,
        Err(IdentityError::Throttled { retry_after }) => {
            return super::second_step::locked(
                customer.visitor.chrome(),
                retry_after,
                "password-check-locked",
                ("/profile", "nav-profile"),
            );
        }
        Err(e) => return Err(e.into()),
    };
    let l = customer.visitor.locale;
    show(
        &state,
        &customer,
        customer.visitor.chrome(),
        None,
        FormState::fresh(l),
        FormState::with(l, errors),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
