## Additional-service application
nav-accounts = Bank account
application-title = Apply for the additional service
application-lead = If you hold an account with us, register it and send us an identity document: you can then see your account's balance and transactions together with your asset status.
application-needs-title = What you need
application-needs-account = The branch code and account number of your account with us, and the account holder name in kana
application-needs-document = An image of an identity document (driving licence, My Number Card or similar), as JPEG or PNG.
application-start = Start your application
application-current = Your application
application-number = Reception number
application-status = Status
application-submitted-at = Submitted
application-decided-at = Decided
application-draft-lead = Your application is not complete yet. Please continue where you left off.
application-continue = Continue
application-submitted-lead = We have received your application. We will let you know the result by e-mail.
application-under-review-lead = We are reviewing your application. We will let you know the result by e-mail.
application-returned-lead = We ask you to check your application. Please correct the following and send it again.
application-returned-what = What to check
application-returned-why = Why
application-returned-when = Sent to you
application-returned-fix = Correct it
application-returned-resend = Check and send
application-approved-lead = Your application has been approved and the additional service is now available.
application-rejected-lead = We are sorry, but we could not accept this application. Please check the reason below and apply again.
application-rejection-reason = Reason:
application-apply-again = Apply again
application-earlier = Earlier applications
application-premium-active = You are using the additional service.
application-steps = Application steps
application-step-account = 1. Account
application-step-documents = 2. Identity document
application-step-review = 3. Review
application-account-title = Your bank account
application-account-lead = Please enter an account with us in your own name. The account holder name must match the kana name you registered.
field-branch = Branch code
hint-branch = 3 digits (e.g. 123)
field-account-type = Account type
field-account-number = Account number
hint-account-number = 7 digits (e.g. 0123456)
field-holder = Account holder (kana)
hint-holder = e.g. ヤマダ タロウ (half-width kana is fine too)
application-next = Next
application-documents-title = Upload your identity document
application-documents-lead = Please send an image of the front of your identity document, and of the back if anything is written there. Photograph the whole document in good light so that every character can be read.
application-documents-limits = JPEG or PNG, up to { $n } MB per file. Photo information such as location is removed when the image is stored.
application-required = required
application-file = Image file
application-upload = Upload
application-replace = Replace with another image
application-remove = Remove the image of the back
application-uploaded = Uploaded
application-preview-alt = Uploaded identity document
application-front-needed = Upload the front to continue.
application-back-to-account = Back to the account
application-error-no-file = No file was chosen. Please choose an image file.
application-review-title = Review your application
application-review-lead = Please check the details below before you apply.
application-account = Account
application-change-account = Change the account
application-change-documents = Change the identity document
application-confirm = I confirm that these details are correct and that the identity document is mine
application-submit = Apply with these details
application-error-confirm = Please tick the confirmation box before you apply.
application-error-already-open = You already have an application in progress. Only one application can be open at a time.
application-error-already-approved = You are already using the additional service.
application-status-draft = In progress
application-status-submitted = Received
application-status-under-review = Under review
application-status-approved = Approved
application-status-rejected = Not accepted
application-status-returned = Returned for correction
application-returned-item-front = Identity document (front)
application-returned-item-back = Identity document (back)
application-returned-item-account = Account details
application-side-front = Front
application-side-back = Back
rejection-document-unreadable = The image of the identity document could not be read
rejection-document-not-accepted = The identity document has expired or is not a kind we accept
rejection-details-mismatch = The identity document does not match your registered details
rejection-account-not-confirmed = The account you entered could not be confirmed
rejection-other = Another reason

## Bank account
accounts-title = Bank account
accounts-not-linked = With the additional service you can see the balance and transactions of your account with us here.
accounts-apply = About the additional service
accounts-summary = Account overview
accounts-account = Account
accounts-balance = Balance
accounts-available = Available to withdraw
accounts-balance-trend = Balance over time
accounts-balance-trend-desc = A line chart of the account balance, week by week.
accounts-transactions = Recent transactions
accounts-description = Description
accounts-amount = Amount
accounts-balance-after = Balance after
dashboard-bank-deposit = Deposits with us
dashboard-bank-unavailable = Your bank account information cannot be retrieved right now, so the figures below leave out its balance. Please check again later.

## Application mails
mail-application-received-subject = [Asset Status] We have received your application
mail-application-received-body =
    Thank you for applying for the additional service.
    We have received your application under the reception number below.

    Reception number: { $number }

    The review can take a few business days. We will let you know the result by e-mail.
    If you did not apply, please contact the desk below.
mail-application-received-link = Check your application
mail-application-approved-subject = [Asset Status] Your application has been approved
mail-application-approved-body =
    Your application for the additional service (reception number { $number }) has been reviewed and approved.
    From today you can see your account's balance and transactions together with your asset status.
mail-application-approved-link = Log in to see your account
mail-application-rejected-subject = [Asset Status] About your application
mail-application-rejected-body =
    We are sorry, but we could not accept your application for the additional service (reception number { $number }).

    Reason: { $reason }

    Please log in to see the details on the "Apply for the additional service" page, and apply again.
mail-application-rejected-link = Check your application
mail-application-returned-subject = [Asset Status] Please check your application
mail-application-returned-body =
    Please check the following in your application for the additional service (reception number { $number }), correct it and send the application again.

    To check: { $item }

    Please log in to read why on the "Apply for the additional service" page.
mail-application-returned-link = Check your application
mail-application-new-subject = [Asset Status] A new application for the additional service
mail-application-new-body =
    A new application for the additional service has arrived.
    Reception number: { $number }

    Please review it in the back-office console.
mail-application-new-link = Open the back-office console

## Views by our staff
access-title = Views by our staff
access-lead = When members of our staff viewed your registered details, your application or your identity documents, and in which role (staff names are not shown).
access-none = No member of our staff has viewed your information so far.
access-when = Viewed
access-who = Staff role
access-what = Information viewed
access-profile = Your registered details
access-application = Your application (with the account)
access-document-front = Identity document (front)
access-document-back = Identity document (back)
