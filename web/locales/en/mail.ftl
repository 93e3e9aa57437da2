## Mail buttons (HTML mails also offer the body's link as a button)
mail-verify-link = Confirm your e-mail address
mail-reset-link = Reset your password
mail-already-registered-link = Log in
