//! The portal's cookies. With TLS they carry the `__Host-` prefix (bound to this exact origin,
//! `Secure`, path `/`); all are `HttpOnly` except none need script access, and `SameSite=Lax`.

use axum_extra::extract::cookie::{Cookie, SameSite};
use time::Duration;

/// Which cookie.
#[derive(Clone, Copy)]
pub enum Kind {
    /// The session token.
    Session,
    /// The browser's form-token binding.
    Csrf,
    /// The chosen language.
    Lang,
    /// A long-lived random ID recognising the browser at the next login.
    Device,
    /// A login waiting for its second step (minutes).
    PendingLogin,
    /// A staff session (the staff listener's own; never a customer's).
    StaffSession,
    /// A staff sign-in waiting for its second step.
    StaffPending,
    /// An authorization request waiting for the customer to log in (minutes).
    Resume,
    /// A staff sign-in away at the corporate directory: the state it must come back with.
    StaffFederation,
    /// The browser a sign-up was made in, so its verification link confirms there without the
    /// password (a day, like the link).
    Signup,
}

/// The cookie's name.
pub fn name(kind: Kind, secure: bool) -> &'static str {
    match (kind, secure) {
        (Kind::Session, true) => "__Host-session",
        (Kind::Session, false) => "session",
        (Kind::Csrf, true) => "__Host-csrf",
        (Kind::Csrf, false) => "csrf",
        (Kind::Lang, _) => "lang",
        (Kind::Device, true) => "__Host-device",
        (Kind::Device, false) => "device",
        (Kind::PendingLogin, true) => "__Host-pending-login",
        (Kind::PendingLogin, false) => "pending-login",
        (Kind::StaffSession, true) => "__Host-staff-session",
        (Kind::StaffSession, false) => "staff-session",
        (Kind::StaffPending, true) => "__Host-staff-pending",
        (Kind::StaffPending, false) => "staff-pending",
        (Kind::Resume, true) => "__Host-resume",
        (Kind::Resume, false) => "resume",
        (Kind::StaffFederation, true) => "__Host-staff-federation",
        (Kind::StaffFederation, false) => "staff-federation",
        (Kind::Signup, true) => "__Host-signup",
        (Kind::Signup, false) => "signup",
    }
}

/// A cookie to set.
pub fn build(kind: Kind, secure: bool, value: String) -> Cookie<'static> {
    let mut cookie = Cookie::new(name(kind, secure), value);
    cookie.set_path("/");
    cookie.set_http_only(true);
    cookie.set_secure(secure);
    cookie.set_same_site(SameSite::Lax);
    if matches!(kind, Kind::Lang | Kind::Device) {
        cookie.set_max_age(Duration::days(365));
    }
    if matches!(kind, Kind::Signup) {
        cookie.set_max_age(Duration::days(1));
    }
    if matches!(
        kind,
        Kind::PendingLogin | Kind::StaffPending | Kind::Resume | Kind::StaffFederation
    ) {
        cookie.set_max_age(Duration::minutes(5));
    }
    cookie
}

/// A cookie that removes `kind`.
pub fn removal(kind: Kind, secure: bool) -> Cookie<'static> {
    let mut cookie = build(kind, secure, String::new());
    cookie.set_max_age(Duration::ZERO);
    cookie
}
