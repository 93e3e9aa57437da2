## 銀行口座の入力
error-branch-code = 支店番号は3桁の数字で入力してください（例：123）。
error-account-number-length = 口座番号は7桁で入力してください。7桁に満たない場合は、先頭に「0」を付けて7桁にしてください（例：0012345）。
error-account-number-digits = 口座番号は数字のみで入力してください。ハイフンや空白は不要です。
error-holder-not-kana = 口座名義はカタカナで入力してください（例：ヤマダ タロウ）。
error-holder-mismatch = 口座名義がご登録のお名前（フリガナ）と一致しません。お客さまご本人名義の口座をご登録ください。

## 預金種目
banking-account-type-ordinary = 普通
banking-account-type-current = 当座
