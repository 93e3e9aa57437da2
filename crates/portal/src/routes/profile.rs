//! The customer's own details and password.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use axum_extra::extract::cookie::CookieJar;
use identity::{BirthDate, IdentityError, KanaName, KanjiName, Profile, ProfileUpdate};
use platform::fields::{FieldError, FormErrors};
use platform::i18n::Locale;
use platform::time_util::today_jst;
use serde::Deserialize;

use crate::AppState;
use crate::visitor::Customer;
use pages::chrome::{Chrome, FormState, render};
use pages::cookies::{self, Kind};
use pages::csrf::CsrfForm;
use pages::error::PageResult;
use pages::error::WebError;

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

/// Notices after a redirect.
#[derive(Deserialize)]
pub struct Notice {
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    c: Chrome,
    email: String,
    v: ProfileForm,
    form: FormState,
    password_form: FormState,
    notice: Option<String>,
}

fn values(p: &Profile) -> ProfileForm {
    ProfileForm {
        name_kanji: p.name_kanji.clone(),
        name_kana: p.name_kana.clone(),
        birth_date: platform::fields::iso_date(p.birth_date),
        locale: p.locale.code().to_owned(),
    }
}

fn show(
    c: Chrome,
    email: String,
    v: ProfileForm,
    form: FormState,
    password_form: FormState,
    status: StatusCode,
) -> PageResult {
    let page = ProfilePage {
        c,
        email,
        v,
        form,
        password_form,
        notice: None,
    };
    Ok((status, Html(render(&page)?)).into_response())
}

/// `GET /profile`.
pub async fn page(
    State(state): State<AppState>,
    customer: Customer,
    Query(q): Query<Notice>,
) -> PageResult {
    let profile = state.identity.profile(customer.id).await?;
    let c = customer.visitor.chrome();
    let notice = match q.notice.as_deref() {
        Some("saved") => Some(c.t("notice-profile-saved")),
        Some("password") => Some(c.t("notice-password-changed")),
        Some("two-step-off") => Some(c.t("notice-two-step-off")),
        _ => None,
    };
    let locale = customer.visitor.locale;
    let page = ProfilePage {
        v: values(&profile),
        email: profile.email,
        form: FormState::fresh(locale),
        password_form: FormState::fresh(locale),
        notice,
        c,
    };
    Ok(Html(render(&page)?).into_response())
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
        let email = state.identity.profile(customer.id).await?.email;
        let l = customer.visitor.locale;
        return show(
            customer.visitor.chrome(),
            email,
            f,
            FormState::with(l, errors),
            FormState::fresh(l),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let update = ProfileUpdate {
        name_kanji,
        name_kana,
        birth_date,
        locale,
    };
    state
        .identity
        .update_profile(customer.id, update, &customer.visitor.meta)
        .await?;
    let jar = CookieJar::new().add(cookies::build(Kind::Lang, false, locale.code().to_owned()));
    Ok((jar, Redirect::to("/profile?notice=saved")).into_response())
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
        Ok(()) => return Ok(Redirect::to("/profile?notice=password").into_response()),
        Err(IdentityError::InvalidCredentials) => {
            FormErrors(vec![("current_password", FieldError::IncorrectPassword)])
        }
        Err(IdentityError::Invalid(errors)) => errors,
        Err(e) => return Err(e.into()),
    };
    let profile = state.identity.profile(customer.id).await?;
    let l = customer.visitor.locale;
    show(
        customer.visitor.chrome(),
        profile.email.clone(),
        values(&profile),
        FormState::fresh(l),
        FormState::with(l, errors),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}
