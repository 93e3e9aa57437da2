## Common
app-name = Asset Status
skip-to-content = Skip to main content
nav-label = Main menu
nav-dashboard = Dashboard
nav-assets = Assets
nav-profile = Your details
nav-logout = Log out
nav-login = Log in
nav-signup = Sign up
nav-home = Go to the home page
footer-note = Your personal information is stored encrypted.
choose = Please choose
save = Save
cancel = Cancel
form-has-errors = { $n ->
    [one] There is one problem with your entry. Please check the message next to the field.
   *[other] There are { $n } problems with your entry. Please check the messages next to the fields.
}
error-request-id = Reference number

## Error pages
error-page-not-found = Page not found
error-page-not-found-detail = The page you are looking for does not exist or has been removed.
error-page-login-required = Please log in
error-page-login-required-detail = You need to log in to see this page.
error-page-csrf = We could not accept this submission
error-page-csrf-detail = For your security this submission has expired. Please reload the page and try again.
error-page-bad-request = We could not process this request
error-page-bad-request-detail = The data sent was not in the expected format. Please reload the page and try again.
error-page-internal = We cannot process this right now
error-page-internal-detail = We are sorry: something went wrong on our side. Please try again in a little while.
error-page-conflict = This cannot be done in the current state
error-page-conflict-detail = The status has changed, perhaps through someone else's action. Please reopen the page to see the latest status.
error-page-forbidden = You do not have access to this page
error-page-forbidden-detail = Your staff account does not hold the role this page requires. Please ask a system administrator if you need it.
error-page-too-large = The file is too large
error-page-too-large-detail = The data sent exceeds the limit. Please make it smaller and try again.
error-page-busy = We are busy right now
error-page-busy-detail = Many customers are using the service at the moment and we could not process this. Please try again in a few seconds.
error-page-unavailable = This service is temporarily unavailable
error-page-unavailable-detail = We could not save or show your data just now, and nothing of this request was changed. Please try again in a minute.

## Field errors
error-required = Please enter this.
error-too-long = Please use at most { $max } characters.
error-control-characters = This contains characters that cannot be used.
error-invalid-email = Please enter an e-mail address such as taro@example.jp.
error-not-kana = Please enter this in full-width katakana.
error-invalid-date = Please enter a date as 2026-04-01.
error-future-date = The date cannot be in the future.
error-too-old = Please enter a date from 1900 onwards.
error-invalid-amount = Please enter a whole number of yen, such as 1,200,000.
error-negative-amount = Amounts cannot be negative. Please record loans under the category Liabilities.
error-amount-too-large = This amount is too large. Please enter at most 100 trillion yen.
error-unknown-choice = Please choose one of the options.
error-password-too-short = Please use at least { $min } characters.
error-password-weak = This password is too easy to guess. A longer phrase, or words unrelated to you, works well.
error-password-mismatch = The two passwords do not match.
error-incorrect-password = The password is not correct.

## Home
home-title = Your assets at a glance
home-lead = Record your deposits, shares, funds, insurance, property and loans, and see your net worth and allocation as charts.
home-point-record = Every change is kept, so you can follow how your assets develop.
home-point-charts = See your allocation and net worth over time as charts and tables.
home-point-security = Personal details such as your name and date of birth are stored encrypted.

## Sign-up
signup-title = Sign up
signup-lead = Please fill in the fields below. We will send a confirmation e-mail to the address you give.
signup-privacy = Your personal information is stored encrypted and used only to provide this service.
signup-submit = Sign up
signup-sent-title = Please check your e-mail
signup-sent-body = We have sent an e-mail to the address you entered. Please open the link in it to complete your registration. If it does not arrive, please check your spam folder.
field-name-kanji = Name
hint-name-kanji = For example: 山田 太郎
field-name-kana = Name in katakana
hint-name-kana = Please use full-width katakana. For example: ヤマダ タロウ
field-email = E-mail address
field-birth-date = Date of birth
hint-date = For example: 1985-04-01
field-password = Password
hint-password = At least 10 characters. A longer phrase that is hard to guess is best.
field-password-confirm = Password (again)
field-new-password = New password
field-current-password = Current password
field-language = Language

## E-mail confirmation
verify-title = Confirm your e-mail address
verify-lead = Please press the button below to confirm your e-mail address.
verify-submit = Confirm
verify-done-title = Your e-mail address is confirmed
verify-done-body = Thank you for registering. Please log in to start.
link-invalid-title = This link cannot be used
verify-invalid-body = The link has expired or has already been used. If you log in, we will send you a new confirmation e-mail.

## Login
login-title = Log in
login-submit = Log in
login-forgot = Forgotten your password?
login-no-account = New here?
login-failed = The e-mail address or password is not correct.
login-not-verified = Your e-mail address is not confirmed yet. We have sent the confirmation e-mail again; please open the link in it.
login-disabled = This account cannot be used at present. Please contact the bank.
notice-logged-out = You have logged out.
notice-password-changed = Your password has been changed.

## Password reset
forgot-title = Reset your password
forgot-lead = Please enter your registered e-mail address. We will send you a link to set a new password.
forgot-submit = Send the link
forgot-sent-title = Please check your e-mail
forgot-sent-body = If the address you entered is registered, we have sent a link to set a new password. The link is valid for 30 minutes.
reset-title = Set a new password
reset-submit = Change password
reset-invalid-body = The link has expired or has already been used. Please request a new one.
forgot-again = Request a new link

## Dashboard
dashboard-title = Home
dashboard-totals = Totals
dashboard-net-worth = Net worth
dashboard-assets = Total assets
dashboard-liabilities = Total liabilities
dashboard-empty = You have not recorded any assets yet. Please add your first one with "Add an asset".
dashboard-allocation = Allocation
dashboard-allocation-desc = A doughnut chart of each asset category's share. The amounts and shares are listed beside it.
dashboard-trend = Assets over time
dashboard-trend-desc = Columns stacked by category, with net worth as a line. Assets are stacked above zero and liabilities below.
dashboard-period = Period
period-day = 30 days
period-month = 12 months
period-year = 5 years
chart-as-table = Show as a table
field-category = Category
field-amount = Amount
field-date = Date

## Assets
assets-title = Assets
assets-add = Add an asset
assets-import = Import from CSV
assets-export-utf8 = Export as CSV (UTF-8)
assets-export-sjis = Export as CSV (Shift_JIS)
assets-none = You have not recorded any assets yet.
assets-count = { $n ->
    [one] One recorded asset
   *[other] { $n } recorded assets
}
assets-actions = Actions
assets-edit = Edit
assets-delete = Delete
field-name = Name
field-institution = Institution
field-valuation-date = Valuation date
hint-valuation-date = The day you checked the balance or value. For example: 2026-12-01
asset-new-title = Add an asset
asset-edit-title = Edit an asset
hint-asset-name = For example: ordinary deposit, shares of a company
hint-optional = Optional
field-amount-yen = Amount (yen)
hint-amount = Whole yen, for example: 1,200,000
field-note = Note
asset-delete-title = Delete an asset
asset-delete-lead = This asset will be deleted. Its past values stay in your history. Do you want to continue?
asset-delete-submit = Delete

## CSV
import-title = Import from CSV
import-lead = You can add many assets at once from a CSV file. If any line has a problem, nothing is imported and we list the lines to correct.
import-format = Column order: category, name, institution, amount, valuation date, note, acquisition cost (the cost may be left out; the first line may be a header). Files saved by Excel (dates like 2026/12/1, amounts like 1,234,567, Shift_JIS) are accepted as they are. At most 1,000 lines and 1 MB.
import-file = CSV file
import-encoding = Character encoding
encoding-auto = Detect automatically
import-submit = Import
import-done-body = { $n ->
    [one] One asset has been imported.
   *[other] { $n } assets have been imported.
}
import-error-too-large = The file is too large. Please choose a file of at most 1 MB.
import-error-empty = The file has no lines to import.
import-error-too-many = There are too many lines. One import may hold at most 1,000, and you may record at most 1,000 assets in all.
import-error-encoding = We could not read the character encoding. Please choose a file saved as UTF-8 or Shift_JIS.
import-error-lines = Some lines have problems, so nothing was imported. Please correct the lines below and try again.
import-line = Line { $line }: { $detail }
import-line-syntax = it is not valid CSV (a quote may not be closed).
export-sjis-failed-title = The export to Shift_JIS failed
export-sjis-failed-body = Some characters cannot be written in Shift_JIS. Please export as UTF-8 instead.
export-utf8 = Export as UTF-8
csv-category = Category
csv-name = Name
csv-institution = Institution
csv-amount = Amount
csv-valuation-date = Valuation date
csv-note = Note

## Categories
category-deposits = Deposits
category-stocks = Stocks
category-investment-funds = Investment funds
category-bonds = Bonds
category-insurance = Insurance
category-pension = Pension
category-real-estate = Real estate
category-crypto-assets = Crypto assets
category-other = Other
category-liabilities = Liabilities

## Your details
profile-title = Your details
profile-customer-number = Customer number
profile-customer-number-hint = Please tell us this customer number when you contact us.
profile-details = Registered details
profile-password = Change your password
profile-password-submit = Change password
profile-delete = Close your account
profile-delete-lead = If you close your account, your registered details and asset records are all deleted. This cannot be undone.
profile-delete-link = Close my account
notice-profile-saved = Your details have been saved.
notice-name-recheck = Your details have been saved. As your name has changed, we will check your application for the additional service again; until then, the account balance is not shown.
delete-title = Close your account
delete-lead = When you close your account, your registered details (name, e-mail address, date of birth and so on), your asset records and your application for the additional service are deleted at once, and the images of your identity documents can no longer be seen by anyone, the bank included. Nothing deleted can be restored. Copies in our backups become unreadable in the same way at the next scheduled backup (normally within a day). Records of actions, kept to prevent fraud, are kept without your name or other personal details.
delete-confirm = I understand and want to close my account
delete-submit = Close my account
deleted-title = Your account has been closed
deleted-body = Thank you very much for using our service.

## Mail
mail-verify-subject = [Asset Status] Please confirm your e-mail address
mail-verify-body =
    Thank you for registering with Asset Status.
    Please open the link below to confirm your e-mail address (valid for 24 hours).

    { $link }

    If you did not register, please ignore this e-mail.
mail-already-registered-subject = [Asset Status] This address is already registered
mail-already-registered-body =
    Someone tried to sign up with this e-mail address, which is already registered.
    To log in: { $login }
    If you have forgotten your password: { $reset }

    If this was not you, please ignore this e-mail. Nothing has been changed.
mail-reset-subject = [Asset Status] Resetting your password
mail-reset-body =
    We have received a request to reset your password.
    Please set a new password with the link below (valid for 30 minutes).

    { $link }

    If you did not ask for this, please ignore this e-mail. Your password stays unchanged.
mail-password-changed-subject = [Asset Status] Your password has been changed
mail-password-changed-body =
    The password of your account has been changed.

    If this was not you, tell us at once with the link below. We will log out every device, remove any passkey or two-step verification added since this change, and send you a link to set a new password (valid for 14 days).

    { $link }
mail-deleted-subject = [Asset Status] Your account has been closed
mail-deleted-body =
    Your account has been closed. Your registered details and asset records have been deleted and cannot be restored.
    Thank you very much for using Asset Status.
mail-greeting-named = Dear { $name },
mail-greeting-customer = Dear customer,
mail-greeting-operators = Dear colleagues,
mail-closing = Kind regards,
mail-signature-desk = { $bank }, { $department }
mail-signature-phone = Phone: { $phone } ({ $hours })
mail-send-only = This e-mail was sent from an address that does not receive replies. Please contact the desk above with any questions.

## Login protection and sessions
login-throttled = Because of repeated failed logins, logging in is paused for now. Please try again in about { $minutes } minutes. If you have forgotten your password, please reset it.
mail-locked-subject = [Asset Status] Logins to your account are paused
mail-locked-body =
    There were repeated failed logins to your account, so for your safety logins are paused for { $minutes } minutes.
    If this was not you, someone else may have tried to log in. We recommend resetting your password.
mail-new-device-subject = [Asset Status] A login from a new device
mail-new-device-body =
    At { $when } (Japan time) your account was logged in from a device not used before ({ $device }).
    If this was not you, please change your password at once and log that device out under "Your details", "Logged-in devices".
sessions-title = Logged-in devices
sessions-lead = These devices are logged in to your account. Log out any device you do not recognise.
sessions-count = { $n ->
    [one] One logged-in device
   *[other] { $n } logged-in devices
}
sessions-device = Device
sessions-address = IP address
sessions-created = Logged in
sessions-last-seen = Last used
sessions-end = Log out
profile-sessions-link = See logged-in devices
notice-session-ended = The selected device has been logged out.
sessions-end-others = Log out all other devices
sessions-end-others-hint = Before other devices are logged out, you may be asked to confirm it is you with your password or a passkey.
notice-other-sessions-ended = All devices except this one have been logged out.

## Two-step verification
error-invalid-code = The code is not correct or has been used. Please enter the six digits your authenticator app shows, or a recovery code.
notice-code-expired = The time for entering the code has passed. Please log in again.
notice-login-again = The service you are using asks you to confirm again that it is you. Please log in once more.
notice-two-step-off = Two-step verification is now off.
code-title = Enter your code
code-lead = Please enter the six-digit code your authenticator app shows. If you do not have your phone, you can use a recovery code.
field-code = Code
hint-code = Six digits, or a recovery code (such as ABCDE-FGHJK)
hint-code-app = The six digits your authenticator app shows
code-submit = Confirm
code-restart = Start the login again
two-step-title = Two-step verification
two-step-summary = Logins ask for a code from your authenticator app as well as your password, which keeps others out.
profile-two-step-link = Set up two-step verification
two-step-lead = Set it up with an authenticator app such as Google Authenticator or Microsoft Authenticator.
two-step-scan = Scan this QR code with your authenticator app.
two-step-qr-label = QR code to add this account to your authenticator app
two-step-key = If you cannot scan it, enter this key:
two-step-enter = Enter the six-digit code your app shows.
two-step-confirm = Finish setting up
two-step-codes-title = Recovery codes
two-step-codes-lead = Use one of these instead of a code if you lose your phone. Each works once. They are shown only now: print them or keep them somewhere safe.
two-step-is-on = Two-step verification is on.
two-step-codes-left = { $n ->
    [one] One recovery code is left.
   *[other] { $n } recovery codes are left.
}
two-step-disable-title = Turn off two-step verification
two-step-disable-submit = Turn off
mail-mfa-enabled-subject = [Asset Status] Two-step verification was turned on
mail-mfa-enabled-body =
    Two-step verification has been turned on for your account. From now on, logging in needs a code from the authenticator app as well as the password.

    If this was not you, tell us at once with the link below. We will log out every device, remove any passkey or two-step verification added since this change, and send you a link to set a new password (valid for 14 days).

    { $link }
mail-mfa-disabled-subject = [Asset Status] Two-step verification was turned off
mail-mfa-disabled-body =
    Two-step verification on your account has been turned off.

    If this was not you, tell us at once with the link below. We will log out every device, remove any passkey or two-step verification added since this change, and send you a link to set a new password (valid for 14 days).

    { $link }
mail-passkey-added-subject = [Asset Status] A passkey was registered
mail-passkey-added-body =
    A new passkey has been registered on your account. From now on it can be used to log in.

    If this was not you, tell us at once with the link below. We will log out every device, remove any passkey or two-step verification added since this change, and send you a link to set a new password (valid for 14 days).

    { $link }
mail-passkey-deleted-subject = [Asset Status] A passkey was deleted
mail-passkey-deleted-body =
    A passkey has been deleted from your account.

    If this was not you, tell us at once with the link below. We will log out every device, remove any passkey or two-step verification added since this change, and send you a link to set a new password (valid for 14 days).

    { $link }
mail-not-me-link = Report that this was not me
mail-factors-suspended-subject = [Asset Status] Recently added ways to log in have been suspended
mail-factors-suspended-body =
    With your password reset, and to keep your account safe, we have suspended any passkey and two-step verification added in the 7 days before it. Suspended ways to log in cannot be used.
    If you added them yourself, you can resume them with the link below (valid for 14 days). If you do not recognise them, do not open the link and delete this mail: they stay suspended, and logging in is not affected.

    { $link }
mail-factors-suspended-link = Resume the suspended ways to log in

## Staff console
staff-area-name = Asset Status staff console
staff-nav-home = Home
staff-nav-usage = Usage
staff-nav-customers = Customers
staff-nav-applications = Applications
staff-nav-new-count = { $n } new
staff-footer-note = For staff only. Every action and every view of customer data is recorded in the audit trail.
staff-login-title = Staff login
staff-login-lead = For the bank's business operators and system administrators only.
field-username = User name
staff-login-failed = The user name or password is not correct.
staff-login-disabled = This account cannot be used at present. Please ask a system administrator.
staff-enrol-title = Set up two-step verification
staff-enrol-lead = Staff accounts must use two-step verification. Nothing else is available until it is set up.
staff-enrol-done = Two-step verification is set up.
staff-home-title = Home
staff-home-welcome = Logged in as
staff-home-roles = Roles
staff-home-audited = Every action here, and every view of customer data, is recorded in the audit trail.
staff-reauth-cancel = Go back without exporting
staff-home-nothing = Your roles open no console.
staff-home-attention = Needs attention
staff-home-applications = Application review
staff-home-mine = My cases (not decided)
staff-home-overdue = Applications past their due date
staff-home-count = { $n ->
    [one] 1 case
   *[other] { $n } cases
}
staff-home-system = System status
staff-home-backup = { $outcome } ({ $at })
role-operator = Business operator
role-admin = System administrator

oidc-refused-title = We cannot continue with this connection
oidc-refused-body = The request from the connected app or service is incomplete or invalid, so we have stopped here. Please contact the provider of the app you are using.
oidc-refused-link = Back to the home page
staff-federation-heading = Log in with your corporate account
staff-federation-lead = If you have an account in the corporate directory, please log in here.
staff-federation-start = Log in with your corporate account
staff-federation-title = Corporate account login
staff-federation-no-role = This corporate account has not been granted access to this console. If you need access, please contact your department's administrator.
staff-federation-refused = We could not complete your login. Please start again from the beginning.
staff-federation-unavailable = We cannot reach the corporate directory, so your login could not be completed. Please try again in a little while.
staff-federation-back = Back to the login page

passkeys-title = Passkeys
passkeys-summary = With a passkey you can log in without a password, securely, using your phone's or computer's biometrics or screen lock.
profile-passkeys-link = Manage passkeys
passkeys-lead = You can review and delete your registered passkeys here. A passkey is kept on your device or in your password manager; we keep only the public key used to check your login.
passkeys-none = You have no passkeys registered.
passkeys-count = { $n ->
    [one] One registered passkey
   *[other] { $n } registered passkeys
}
passkeys-registered = Registered
passkeys-last-used = Last used
passkeys-never = Not yet used
passkeys-delete = Delete
passkeys-add = Register a passkey on this device
passkeys-unavailable = Passkeys cannot be used at this page address (URL).
passkey-working = Please follow the instructions on your device.
passkey-failed = The passkey step could not be completed. Please try again or use another way.
passkey-needs-script = To use passkeys, please enable JavaScript in your browser.
notice-passkey-added = Your passkey has been registered. From now on you can log in with it.
notice-passkey-deleted = The passkey has been deleted.
login-passkey-heading = Log in with a passkey
login-passkey = Log in with a passkey
staff-passkey-enrol = Register a passkey instead
staff-passkey-step = Confirm with a passkey

## Pauses after repeated wrong entries
factor-locked-title = Please wait a while
code-locked = Because wrong codes were entered repeatedly, code entry is paused for your safety. Until then even the right code cannot be accepted. Please try again in about { $minutes } minutes.
password-check-locked = Because a wrong password was entered repeatedly, password checks are paused for your safety. Until then even the right password cannot be accepted. Please try again in about { $minutes } minutes.
factor-check-locked = Because a wrong password or code was entered repeatedly, these checks are paused for your safety. Until then even the right entries cannot be accepted. Please try again in about { $minutes } minutes.
staff-reauth-title = Confirm it is you
staff-reauth-lead = Before exporting customer data or the audit log, confirm again that it is you with your password and a code from the authenticator app. For 10 minutes after confirming, you can go on.
staff-reauth-passkey = Confirm with a passkey
