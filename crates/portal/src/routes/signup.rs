//! Sign-up.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use identity::{BirthDate, Email, KanaName, KanjiName, NewPassword, SignupRequest, password_field};
use platform::fields::FormErrors;
use platform::time_util::today_jst;
use serde::Deserialize;

use axum_extra::extract::cookie::CookieJar;
use pages::cookies::{self, Kind};

use crate::AppState;
use crate::visitor::Visitor;
use pages::chrome::{Chrome, FormState, render};
use pages::csrf::CsrfForm;
use pages::error::PageResult;
use pages::message;

/// The sign-up form's fields.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SignupForm {
    email: String,
    name_kanji: String,
    name_kana: String,
    birth_date: String,
    password: String,
    password_confirm: String,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    c: Chrome,
    form: FormState,
    v: SignupForm,
}

/// `GET /signup`.
pub async fn form(visitor: Visitor) -> PageResult {
    if visitor.session.is_some() {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    let page = SignupPage {
        form: FormState::fresh(visitor.locale),
        c: visitor.chrome(),
        v: SignupForm::default(),
    };
    Ok(axum::response::Html(render(&page)?).into_response())
}

/// `POST /signup`: the same answer whether or not the address is already registered.
pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    CsrfForm(f): CsrfForm<SignupForm>,
) -> PageResult {
    let mut errors = FormErrors::default();
    let email = errors.check("email", Email::parse(&f.email));
    let name_kanji = errors.check("name_kanji", KanjiName::parse(&f.name_kanji));
    let name_kana = errors.check("name_kana", KanaName::parse(&f.name_kana));
    let birth_date = errors.check("birth_date", BirthDate::parse(&f.birth_date, today_jst()));
    let personal = [
        f.email.as_str(),
        f.name_kanji.as_str(),
        f.name_kana.as_str(),
    ];
    let password = NewPassword::parse(&f.password, &f.password_confirm, &personal);
    let field = password
        .as_ref()
        .err()
        .map_or("password", |e| password_field(*e));
    let password = errors.check(field, password);
    let (Some(email), Some(name_kanji), Some(name_kana), Some(birth_date), Some(password)) =
        (email, name_kanji, name_kana, birth_date, password)
    else {
        let v = SignupForm {
            password: String::new(),
            password_confirm: String::new(),
            ..f
        };
        let page = SignupPage {
            form: FormState::with(visitor.locale, errors),
            c: visitor.chrome(),
            v,
        };
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::response::Html(render(&page)?),
        )
            .into_response());
    };
    let request = SignupRequest {
        email,
        name_kanji,
        name_kana,
        birth_date,
        password,
        locale: visitor.locale,
    };
    let binding = state.identity.sign_up(request, &visitor.meta).await?;
    let jar = CookieJar::new().add(cookies::build(Kind::Signup, state.secure_cookies, binding));
    Ok((jar, Redirect::to("/signup/sent")).into_response())
}

/// `GET /signup/sent`.
pub async fn sent(visitor: Visitor) -> PageResult {
    message::page(
        visitor.chrome(),
        StatusCode::OK,
        "signup-sent-title",
        "signup-sent-body",
        None,
    )
}
