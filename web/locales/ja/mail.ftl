## メールのボタン（HTMLのメールで、本文のリンクをボタンとしてもご案内します）
mail-verify-link = メールアドレスを確認する
mail-reset-link = パスワードを再設定する
mail-already-registered-link = ログインする
