## Page frame (menu, hiding amounts)
meta-description = The bank's service for recording your deposits, stocks, property and loans and seeing them in charts.
tab-home = Home
tab-assets = Assets
tab-accounts = Account
tab-settings = Settings
privacy-hide = Hide amounts
privacy-show = Show amounts

## Notices after a change
notice-asset-created = The asset has been added. Your totals and charts include it now.
notice-asset-updated = The asset has been updated.
notice-asset-deleted = The asset has been deleted. Its past values stay in the charts.
notice-valuation-added = The valuation has been recorded and added to the chart.
notice-assets-imported = The assets in your file have been added. Please check them.
notice-two-step-on = Two-step verification is on. From now on you will enter a code when you log in.
notice-account-saved = Your account details have been saved. Next, please upload your identity document.
notice-document-uploaded = Your identity document has been uploaded.
notice-document-removed = The back of your identity document has been removed.
notice-application-submitted = We have received your application. We will let you know the result by e-mail.

## Marks on form fields
label-required = Required
label-optional = Optional

## Home (overview of assets)
dashboard-changes = Change in net worth
dashboard-change-month = vs last month
dashboard-change-year = vs last year
dashboard-as-of = As of { $date }
dashboard-empty-title = Record your assets and see the whole picture
dashboard-empty-step-1 = Add what you hold, such as deposits and stocks.
dashboard-empty-step-2 = Add loans and other debts too, to see your net worth.
dashboard-empty-step-3 = Each time you update a value, the chart keeps the history.
dashboard-liabilities-apart = Liabilities
dashboard-trend-legend = Chart legend
dashboard-see-assets = See all assets
dashboard-axis-unit = Unit: yen

## Asset list and each asset's page
assets-none-lead = Add your deposits, stocks, funds, property and loans to see your totals and their history at any time.
assets-subtotal = Subtotal
assets-stale-prompt = { $n ->
    [one] One asset was last valued more than 90 days ago. We recommend recording its current value.
   *[other] { $n } assets were last valued more than 90 days ago. We recommend recording their current values.
}
assets-stale-badge = Over 90 days old
assets-files = Manage with files
assets-files-lead = Add assets from a CSV file made in a spreadsheet, or download the assets you have recorded.
asset-updated-at = Last updated
asset-stale-lead = This value is more than 90 days old. Please check the current balance or value and record it below under "Record a valuation".
valuation-add-title = Record a valuation
valuation-add-lead = Enter the date you checked the balance or value, and the amount. You can also add values for past dates.
valuation-add-submit = Record
valuation-history = Valuation history
valuation-change = Change
valuation-chart-desc = A line chart of this asset's value over time.

## Home page
home-signup = Sign up free of charge
home-feature-see = See it at a glance
home-feature-history = Follow the history
home-feature-safe = Use it with peace of mind
hint-note = A reminder for yourself, such as part of an account number or a maturity date.

## Application steps, bank account and settings pages
application-stepper-account = Account
application-stepper-documents = Identity document
application-stepper-review = Review
application-stepper-done = (done)
application-account-next = On the next page you will upload an image of your identity document.
application-saved-account = Saved account details
application-preview-enlarge = (open the image at full size)
application-preview-hint = Select the image to see it at full size.
application-file-other = Choose another image
application-next-title = Next step
application-documents-ready = We have the front of your document. On the next page, please check your application.
application-review-account = Account details we will send
application-review-documents = Identity document we will send
application-after-title = After you apply
application-after-review = We check your account details and identity document and review your application.
application-after-mail = We will send the result to your registered e-mail address. You can also see it on this page.
application-after-locked = While we review it, the application cannot be changed.
application-start-title = About the additional service
application-timeline-title = Progress
application-timeline-received = Received
application-timeline-review = Under review
application-timeline-result = Result
application-timeline-pending = Not yet
application-timeline-now = In progress now
application-next-review = Next, we will review your application. When the review starts, the status changes to "Under review".
access-grouped = Views of the same information by staff in the same role less than 30 minutes apart are shown as one line with the number of views.
access-views = { $n ->
    [one] 1 view
   *[other] { $n } views
}
access-visit-span = { $from } – { $to }
accounts-not-linked-title = See your balance and transactions here
accounts-no-transactions = There are no transactions to show.
accounts-deposit = Deposit
accounts-withdrawal = Withdrawal
settings-back = Back to settings
settings-security = Login and security
settings-password = Password
settings-password-sub = Change your password.
settings-password-others = When you change your password, you are logged out on every other device.
settings-on = On
settings-off = Not set
settings-status = Current setting
settings-passkeys-count = { $n ->
    [0] None registered
    [one] 1 registered
   *[other] { $n } registered
}
settings-sessions-count = { $n ->
    [one] Logged in on 1 device
   *[other] Logged in on { $n } devices
}
settings-sessions-hint = "Log out" ends the login on that device; logging out this device takes you to the login page.
settings-this-device = This device
settings-language-lead = Choose the language of these pages and of the e-mails we send you.
settings-language-submit = Save language
settings-passkey-add-title = Register a passkey
two-step-setup-title = How to set it up
two-step-disable-lead = When it is off, we no longer ask for a code when you log in. To confirm it is you, please enter your password and a code (or a recovery code).
two-step-codes-copy = Copy the codes
two-step-codes-print = Print the codes
two-step-codes-copied = The recovery codes have been copied. Please keep them somewhere safe.
two-step-codes-copy-failed = The codes could not be copied. Please write them down or print them.
two-step-codes-keep = Write the codes down or print them with your browser, and keep them where nobody else can see them.
two-step-codes-done = I have kept them. Back to settings
delete-what-title = What closing your account does
delete-what-details = Your registered details (name, e-mail address, date of birth) and your asset records are deleted at once.
delete-what-application = Your applications for the additional service and your identity documents are deleted too.
delete-what-final = Deleted information cannot be restored, not even by the bank.
delete-what-backup = Copies in the bank's backups are made unreadable at the next scheduled backup (usually within a day).
delete-what-log = Records of actions kept to prevent fraud are kept without your name or other details.
delete-before-title = Before you close your account
delete-before-export = If you want to keep your asset records, export them to a file first.
delete-before-export-link = Go to your assets (export)
delete-form-title = Close your account
dashboard-of-which = of which:{" "}
list-separator = {" "}·{" "}

## Confirming who you are (step-up) and reporting changes that were not you
reauth-title = Confirm it is you
reauth-lead = To change an important setting, please confirm again that it is you. For 10 minutes after confirming, you can go on making changes.
reauth-submit = Confirm and continue
reauth-passkey-heading = Confirm with a passkey
reauth-passkey = Confirm with a passkey
reauth-cancel = Go back without changing anything
not-me-title = Report a change that was not you
not-me-lead = When you press the button, we log out every device and remove any passkey and two-step verification added since the change we told you about. Your password stops working too: please set a new one with the link we will send you by e-mail.
not-me-submit = Report that this was not me
not-me-done-title = Thank you for telling us
not-me-done-body = We have logged out every device and removed the ways to log in added since the change. We have sent a link to set a new password to your registered e-mail address. If you have any questions, please contact our staff.
keep-factors-title = Resume suspended ways to log in
keep-factors-lead = This makes the passkeys and two-step verification suspended with your password reset usable again. Please go ahead only if you added them yourself.
keep-factors-submit = Resume
keep-factors-done-title = Ways to log in resumed
keep-factors-done-body = The suspended passkeys and two-step verification can be used again.
security-link-invalid-body = The link has expired or has already been used. If you have any questions, please contact our staff.
verify-lead-password = To confirm it is you, please enter the password you chose when registering to complete the confirmation of your e-mail address.
verify-password = Password chosen when registering
verify-not-you = If you did not register, please close this page. The registration will not be completed and lapses after 24 hours.
passkeys-suspended = Suspended
passkeys-suspended-hint = Suspended with your password reset. To resume it, open the link in the e-mail we sent you.
passkeys-reauth-first = Before adding a passkey, we ask you to confirm that it is you.
passkeys-reauth-link = Confirm it is you and add a passkey
