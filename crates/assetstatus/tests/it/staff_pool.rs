//! The staff pool: accounts from the command line, sign-in with password then a second factor
//! that is mandatory (enrol-only until it is set up), replayed and wrong codes refused, short
//! staff sessions, disabling and resetting a lost second factor — every change audited.

use crate::support;

use std::process::Command;

use identity::IdentityError;
use identity::staff::{NewStaff, StaffLoginOutcome, StaffRole, StaffRoles, Username};
use platform::audit::RequestMeta;
use support::{Backend, TestApp, code_at};

fn meta() -> RequestMeta {
    RequestMeta {
        client_ip: Some("10.20.30.40".parse().unwrap()),
        request_id: "staff-test".into(),
    }
}

async fn mandatory_second_factor_and_account_changes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let identity = &app.state.identity;
    let new = || NewStaff {
        username: Username::parse("Hanako.Ops").unwrap(),
        display_name: "業務 花子".into(),
        roles: StaffRoles::parse("operator").unwrap(),
    };
    let (_, password) = identity.create_staff(new(), &meta()).await.unwrap();
    assert!(matches!(
        identity.create_staff(new(), &meta()).await,
        Err(IdentityError::UsernameTaken)
    ));

    assert!(matches!(
        identity
            .staff_log_in("hanako.ops", "wrong-password", &meta())
            .await,
        Err(IdentityError::InvalidCredentials)
    ));
    assert!(matches!(
        identity
            .staff_log_in("nobody", "wrong-password", &meta())
            .await,
        Err(IdentityError::InvalidCredentials)
    ));
    let Ok(StaffLoginOutcome::Enrol { session_token }) = identity
        .staff_log_in("HANAKO.OPS", &password, &meta())
        .await
    else {
        panic!("without a second factor the first sign-in may only enrol");
    };
    let session = identity
        .staff_session(&session_token)
        .await
        .unwrap()
        .unwrap();
    assert!(!session.mfa_done);
    assert!(session.roles.has(StaffRole::Operator) && !session.roles.has(StaffRole::Admin));
    let key = identity.staff_enrolment(&session).await.unwrap().key;
    assert!(matches!(
        identity
            .confirm_staff_enrolment(&session_token, "000000", &meta())
            .await,
        Err(IdentityError::Invalid(_))
    ));
    let codes = identity
        .confirm_staff_enrolment(&session_token, &code_at(&key, 0), &meta())
        .await
        .unwrap();
    assert_eq!(codes.len(), 10);
    assert!(
        identity
            .staff_session(&session_token)
            .await
            .unwrap()
            .unwrap()
            .mfa_done
    );
    identity
        .staff_log_out(&session_token, &meta())
        .await
        .unwrap();
    assert!(
        identity
            .staff_session(&session_token)
            .await
            .unwrap()
            .is_none()
    );

    let Ok(StaffLoginOutcome::SecondStep { pending_token }) = identity
        .staff_log_in("hanako.ops", &password, &meta())
        .await
    else {
        panic!("once enrolled, the second step is due");
    };
    assert!(
        matches!(
            identity
                .complete_staff_second_step(&pending_token, &code_at(&key, 0), &meta())
                .await,
            Err(IdentityError::Invalid(_))
        ),
        "a used code is refused"
    );
    let token = identity
        .complete_staff_second_step(&pending_token, &code_at(&key, 1), &meta())
        .await
        .unwrap();
    assert!(
        identity
            .staff_session(&token)
            .await
            .unwrap()
            .unwrap()
            .mfa_done
    );

    {
        let mut tx = app.state.db.write().await.unwrap();
        sqlx::query("UPDATE staff_sessions SET last_seen_at = last_seen_at - 16 * 60")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    assert!(
        identity.staff_session(&token).await.unwrap().is_none(),
        "15 minutes idle ends a staff session"
    );

    let Ok(StaffLoginOutcome::SecondStep { pending_token }) = identity
        .staff_log_in("hanako.ops", &password, &meta())
        .await
    else {
        panic!()
    };
    let token = identity
        .complete_staff_second_step(&pending_token, &codes[0], &meta())
        .await
        .unwrap();
    let name = Username::parse("hanako.ops").unwrap();
    identity
        .set_staff_active(&name, false, &meta())
        .await
        .unwrap();
    assert!(
        identity.staff_session(&token).await.unwrap().is_none(),
        "disabling ends sessions"
    );
    assert!(matches!(
        identity
            .staff_log_in("hanako.ops", &password, &meta())
            .await,
        Err(IdentityError::Disabled)
    ));
    identity
        .set_staff_active(&name, true, &meta())
        .await
        .unwrap();
    identity.reset_staff_mfa(&name, &meta()).await.unwrap();
    assert!(
        matches!(
            identity
                .staff_log_in("hanako.ops", &password, &meta())
                .await,
            Ok(StaffLoginOutcome::Enrol { .. })
        ),
        "after a reset, enrol again"
    );

    let list = identity.list_staff().await.unwrap();
    assert_eq!(
        (
            list.len(),
            list[0].username.as_str(),
            list[0].mfa_enrolled,
            list[0].active
        ),
        (1, "hanako.ops", false, true)
    );
    let mut tx = app.state.db.read().await.unwrap();
    for action in [
        "staff.create",
        "staff.disable",
        "staff.enable",
        "staff.reset_mfa",
        "mfa.enable",
        "staff.login_second_step",
        "staff.logout",
    ] {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = $1")
            .bind(action)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert!(
            platform::db::col::<i64>(&row, "n").unwrap() >= 1,
            "{action} audited"
        );
    }
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'staff.login' AND outcome = 'failure'",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(platform::db::col::<i64>(&row, "n").unwrap(), 2);
    drop(tx);
    app.stop().await;
}

on_both_backends!(mandatory_second_factor_and_account_changes);

#[test]
fn users_commands_manage_staff_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_assetstatus"))
            .args(args)
            .env_remove("ASSETSTATUS_DATABASE_URL")
            .env("ASSETSTATUS_DATA_DIR", dir.path())
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&[
        "users",
        "create-staff",
        "--username",
        "admin.taro",
        "--name",
        "管理 太郎",
        "--roles",
        "admin,operator",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("initial password (shown once): "), "{out}");
    let (ok, _, err) = run(&[
        "users",
        "create-staff",
        "--username",
        "admin.taro",
        "--name",
        "x",
        "--roles",
        "admin",
    ]);
    assert!(!ok && err.contains("exists already"), "{err}");
    let (ok, _, err) = run(&[
        "users",
        "create-staff",
        "--username",
        "x1y",
        "--name",
        "x",
        "--roles",
        "root",
    ]);
    assert!(!ok && err.contains("invalid --roles `root`"), "{err}");
    let (ok, _, err) = run(&[
        "users",
        "create-staff",
        "--username",
        "NO SPACES",
        "--name",
        "x",
        "--roles",
        "admin",
    ]);
    assert!(!ok && err.contains("invalid --username"), "{err}");
    let (ok, _, err) = run(&["users", "disable", "--username", "nobody"]);
    assert!(
        !ok && err.contains("no staff account named `nobody`"),
        "{err}"
    );
    let (ok, out, _) = run(&["users", "disable", "--username", "admin.taro"]);
    assert!(ok && out.contains("admin.taro: disabled"));
    let (ok, out, _) = run(&["users", "list"]);
    assert!(ok);
    let line = out.lines().find(|l| l.starts_with("admin.taro")).unwrap();
    assert!(
        line.contains("operator,admin") && line.contains("disabled") && line.contains(" no "),
        "{line}"
    );
    let (ok, out, _) = run(&["users", "reset-mfa", "--username", "admin.taro"]);
    assert!(ok && out.contains("second factor reset"));
    let (ok, out, _) = run(&["audit", "verify"]);
    assert!(ok && out.contains("audit trail intact"), "{out}");
}
