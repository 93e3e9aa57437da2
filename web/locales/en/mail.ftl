## Mail buttons (HTML mails also offer the body's link as a button)
mail-verify-link = Confirm your e-mail address
mail-reset-link = Reset your password
mail-already-registered-link = Log in

## Notices after repeated wrong entries
mail-code-locked-subject = [Asset Status] Code entry for your account is paused
mail-code-locked-body =
    Wrong codes were entered repeatedly when logging in to your account, so for your safety code entry is paused for { $minutes } minutes. During this time even the right code cannot be used to log in.
    As two-step verification is on, your password alone is not enough to log in.
    If this was not you, someone else may know your password. Please reset your password at once.
mail-password-check-locked-subject = [Asset Status] Password checks for your account are paused
mail-password-check-locked-body =
    On a logged-in device, the password we ask for before some changes was entered wrongly several times, so for your safety password checks are paused for { $minutes } minutes.
    If this was not you, someone else may be using your account. Please log out any device you do not recognise under "Your details", "Logged-in devices", and reset your password.
