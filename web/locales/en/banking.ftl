## Bank account fields
error-branch-code = Please enter the branch number as 3 digits, such as 123.
error-account-number-length = Please enter the account number as 7 digits. If it is shorter, add zeros in front, such as 0012345.
error-account-number-digits = Please enter the account number in digits only, without hyphens or spaces.
error-holder-not-kana = Please enter the account holder name in katakana, such as ヤマダ タロウ.
error-holder-mismatch = The account holder name does not match the reading of your registered name. Please register an account in your own name.

## Account types
banking-account-type-ordinary = Ordinary
banking-account-type-current = Current
