## 共通
app-name = 資産状況
skip-to-content = 本文へ移動
nav-label = メインメニュー
nav-dashboard = ダッシュボード
nav-assets = 資産一覧
nav-profile = お客さま情報
nav-logout = ログアウト
nav-login = ログイン
nav-signup = 新規登録
nav-home = トップページへ
footer-note = お客さまの個人情報は暗号化して保管しています。
choose = 選択してください
save = 保存する
cancel = キャンセル
form-has-errors = 入力内容に{ $n }件の誤りがあります。各項目のメッセージをご確認ください。
error-request-id = お問い合わせ番号

## エラーページ
error-page-not-found = ページが見つかりません
error-page-not-found-detail = お探しのページは存在しないか、すでに削除されています。
error-page-login-required = ログインが必要です
error-page-login-required-detail = このページをご覧になるには、ログインしてください。
error-page-csrf = 送信を受け付けられませんでした
error-page-csrf-detail = 安全のため、この送信は無効になりました。お手数ですが、ページを開き直してからもう一度お試しください。
error-page-bad-request = リクエストを処理できませんでした
error-page-bad-request-detail = 送信された内容の形式が正しくありません。ページを開き直してからもう一度お試しください。
error-page-internal = ただいま処理できません
error-page-internal-detail = 申し訳ございません。システムで問題が発生しました。しばらくしてからもう一度お試しください。
error-page-conflict = この操作は現在の状態では行えません
error-page-conflict-detail = ほかの方の操作などにより状態が変わっています。画面を開き直して、最新の状況をご確認ください。
error-page-forbidden = この画面を利用する権限がありません
error-page-forbidden-detail = ご利用の行員アカウントには、この画面の権限が付与されていません。必要な場合は、システム管理者にお問い合わせください。
error-page-too-large = ファイルが大きすぎます
error-page-too-large-detail = 送信されたデータが上限を超えています。サイズを小さくしてからもう一度お試しください。
error-page-busy = ただいま混み合っています
error-page-busy-detail = 多くのお客さまがご利用中のため、処理できませんでした。お手数ですが、数秒後にもう一度お試しください。
error-page-unavailable = ただいま一時的にご利用いただけません
error-page-unavailable-detail = システムの一時的な障害のため、処理を完了できませんでした。この操作による変更は行われていません。お手数ですが、1分ほどおいてからもう一度お試しください。

## 入力エラー
error-required = 入力してください。
error-too-long = { $max }文字以内で入力してください。
error-control-characters = 使用できない文字が含まれています。
error-invalid-email = メールアドレスの形式が正しくありません（例：taro@example.jp）。
error-not-kana = 全角カタカナで入力してください。
error-invalid-date = 日付を「2026-04-01」の形式で入力してください。
error-future-date = 未来の日付は入力できません。
error-too-old = 1900年以降の日付を入力してください。
error-invalid-amount = 金額は円単位の数字で入力してください（例：1,200,000）。
error-negative-amount = マイナスの金額は入力できません。借入金などは区分「負債」で登録してください。
error-amount-too-large = 金額が大きすぎます。100兆円以下で入力してください。
error-unknown-choice = 選択肢の中からお選びください。
error-password-too-short = パスワードは{ $min }文字以上で入力してください。
error-password-weak = このパスワードは推測されやすいため使用できません。長めの文や、ご自身と関係のない言葉の組み合わせをおすすめします。
error-password-mismatch = 確認用のパスワードが一致しません。
error-incorrect-password = パスワードが正しくありません。

## トップ
home-title = 資産状況をひと目で
home-lead = 預金、株式、投資信託、保険、不動産、借入金などを登録すると、純資産と資産配分をグラフでご確認いただけます。
home-point-record = 資産の変更はすべて履歴として残り、推移をたどれます。
home-point-charts = 資産配分と純資産の推移をグラフと表でご覧いただけます。
home-point-security = お名前や生年月日などの個人情報は暗号化して保管しています。

## 新規登録
signup-title = 新規登録
signup-lead = 以下の項目を入力してください。ご登録のメールアドレスに確認のメールをお送りします。
signup-privacy = ご入力いただいた個人情報は暗号化して保管し、本サービスの提供にのみ利用いたします。
signup-submit = 登録する
signup-sent-title = 確認メールをお送りしました
signup-sent-body = ご入力のメールアドレスにメールをお送りしました。メールに記載のリンクから登録を完了してください。メールが届かない場合は、迷惑メールフォルダをご確認ください。
field-name-kanji = お名前
hint-name-kanji = 例：山田 太郎
field-name-kana = お名前（フリガナ）
hint-name-kana = 全角カタカナで入力してください。例：ヤマダ タロウ
field-email = メールアドレス
field-birth-date = 生年月日
hint-date = 例：1985-04-01
field-password = パスワード
hint-password = 10文字以上で入力してください。推測されにくい長めの文をおすすめします。
field-password-confirm = パスワード（確認）
field-new-password = 新しいパスワード
field-current-password = 現在のパスワード
field-language = 表示言語

## メールアドレスの確認
verify-title = メールアドレスの確認
verify-lead = 下のボタンを押して、メールアドレスの確認を完了してください。
verify-submit = 確認を完了する
verify-done-title = メールアドレスの確認が完了しました
verify-done-body = ご登録ありがとうございます。ログインしてご利用ください。
link-invalid-title = このリンクはご利用いただけません
verify-invalid-body = リンクの有効期限が切れているか、すでに使用されています。ログインしていただくと、確認メールを再送いたします。

## ログイン
login-title = ログイン
login-submit = ログインする
login-forgot = パスワードをお忘れの方
login-no-account = はじめての方は
login-failed = メールアドレスまたはパスワードが正しくありません。
login-not-verified = メールアドレスの確認が完了していません。確認メールを再送しましたので、メールに記載のリンクから確認を完了してください。
login-disabled = このアカウントは現在ご利用いただけません。お手数ですが、当行までお問い合わせください。
notice-logged-out = ログアウトしました。
notice-password-changed = パスワードを変更しました。

## パスワード再設定
forgot-title = パスワードの再設定
forgot-lead = ご登録のメールアドレスを入力してください。パスワード再設定用のリンクをお送りします。
forgot-submit = 再設定用のリンクを送る
forgot-sent-title = メールをご確認ください
forgot-sent-body = ご入力のメールアドレスが登録されている場合、パスワード再設定用のリンクをお送りしました。リンクの有効期限は30分です。
reset-title = 新しいパスワードの設定
reset-submit = パスワードを変更する
reset-invalid-body = リンクの有効期限が切れているか、すでに使用されています。お手数ですが、もう一度お手続きください。
forgot-again = もう一度手続きする

## ダッシュボード
dashboard-title = ホーム
dashboard-totals = 合計
dashboard-net-worth = 純資産
dashboard-assets = 資産合計
dashboard-liabilities = 負債合計
dashboard-empty = まだ資産が登録されていません。「資産を登録する」から、最初の資産をご登録ください。
dashboard-allocation = 資産配分
dashboard-allocation-desc = 資産の区分ごとの割合をドーナツグラフで示しています。金額と割合はグラフの横の一覧にあります。
dashboard-trend = 資産の推移
dashboard-trend-desc = 区分ごとの金額を積み上げ棒グラフで、純資産を折れ線で示しています。資産はゼロより上、負債はゼロより下に積み上げています。
dashboard-period = 表示期間
period-day = 30日
period-month = 12か月
period-year = 5年
chart-as-table = 表で見る
field-category = 区分
field-amount = 金額
field-date = 日付

## 資産
assets-title = 資産一覧
assets-add = 資産を登録する
assets-import = CSVから取り込む
assets-export-utf8 = CSVで書き出す（UTF-8）
assets-export-sjis = CSVで書き出す（Shift_JIS）
assets-none = まだ資産が登録されていません。
assets-count = 登録済みの資産（{ $n }件）
assets-actions = 操作
assets-edit = 編集
assets-delete = 削除
field-name = 名称
field-institution = 金融機関
field-valuation-date = 評価日
hint-valuation-date = 残高や評価額を確認した日です。例：2026-12-01
asset-new-title = 資産の登録
asset-edit-title = 資産の編集
hint-asset-name = 例：普通預金、〇〇株式
hint-optional = 任意
field-amount-yen = 金額（円）
hint-amount = 円単位の数字で入力してください。例：1,200,000
field-note = メモ
asset-delete-title = 資産の削除
asset-delete-lead = 次の資産を削除します。これまでの推移の記録は残ります。よろしいですか。
asset-delete-submit = 削除する

## CSV
import-title = CSVからの取り込み
import-lead = CSVファイルから資産をまとめて登録できます。1行でも誤りがある場合は、何も取り込まずに誤りのある行をお知らせします。
import-format = 列の順番：区分、名称、金融機関、金額、評価日、メモ、取得価額（取得価額は省略できます。1行目は見出しでも構いません）。Excelで保存した形式（2026/12/1 の日付、1,234,567 の金額、Shift_JIS）もそのまま取り込めます。最大1,000行・1MBまで。
import-file = CSVファイル
import-encoding = 文字コード
encoding-auto = 自動判別
import-submit = 取り込む
import-done-body = { $n }件の資産を取り込みました。
import-error-too-large = ファイルが大きすぎます。1MB以下のファイルをお選びください。
import-error-empty = 取り込める行がありません。
import-error-too-many = 行数が多すぎます。1回の取り込みは1,000件まで、登録できる資産は合計1,000件までです。
import-error-encoding = 文字コードを読み取れませんでした。UTF-8またはShift_JISで保存したファイルをお選びください。
import-error-lines = 誤りのある行があるため、取り込みませんでした。以下の行を修正してから、もう一度お試しください。
import-line = { $line }行目: { $detail }
import-line-syntax = CSVの形式が正しくありません（引用符が閉じられていない可能性があります）。
export-sjis-failed-title = Shift_JISで書き出せませんでした
export-sjis-failed-body = Shift_JISで表せない文字が含まれているため、書き出せませんでした。UTF-8でお書き出しください。
export-utf8 = UTF-8で書き出す
csv-category = 区分
csv-name = 名称
csv-institution = 金融機関
csv-amount = 金額
csv-valuation-date = 評価日
csv-note = メモ

## 区分
category-deposits = 預金
category-stocks = 株式
category-investment-funds = 投資信託
category-bonds = 債券
category-insurance = 保険
category-pension = 年金
category-real-estate = 不動産
category-crypto-assets = 暗号資産
category-other = その他
category-liabilities = 負債

## お客さま情報
profile-title = お客さま情報
profile-details = 登録内容
profile-customer-number = お客さま番号
profile-customer-number-hint = お問い合わせの際は、このお客さま番号をお伝えください。
profile-password = パスワードの変更
profile-password-submit = パスワードを変更する
profile-delete = 退会
profile-delete-lead = 退会すると、ご登録の情報と資産の記録はすべて削除され、元に戻すことはできません。
profile-delete-link = 退会の手続きへ
notice-profile-saved = 登録内容を保存しました。
notice-name-recheck = 登録内容を保存しました。お名前が変わったため、追加サービスのお申し込みをあらためて確認いたします。確認が終わるまで、口座残高の表示を一時停止します。
delete-title = 退会の手続き
delete-lead = 退会のお手続きが完了すると、お名前・メールアドレス・生年月日などのご登録の情報、資産の記録、追加サービスのお申し込み内容を直ちに削除し、お送りいただいた本人確認書類の画像も、当行を含めて誰も見ることができない状態にします。削除した情報は、当行でも元に戻すことはできません。当行のバックアップに残る写しも、次回の定期バックアップ（通常は1日以内）の際に、同じく誰も見ることができない状態にします。不正防止のための操作の記録は、お名前などを含まない形で保管します。
delete-confirm = 上記を理解し、退会します
delete-submit = 退会する
deleted-title = 退会の手続きが完了しました
deleted-body = これまでのご利用、誠にありがとうございました。

## メール
mail-verify-subject = 【資産状況】メールアドレスのご確認
mail-verify-body =
    このたびは資産状況サービスにご登録いただき、誠にありがとうございます。
    以下のリンクを開き、メールアドレスの確認を完了してください（有効期限：24時間）。

    { $link }

    お心当たりのない場合は、お手数ですがこのメールを削除してください。
mail-already-registered-subject = 【資産状況】ご登録済みのメールアドレスです
mail-already-registered-body =
    このメールアドレスで新規登録のお手続きがありましたが、このメールアドレスはすでにご登録済みです。
    ログインはこちらから：{ $login }
    パスワードをお忘れの場合はこちらから：{ $reset }

    お心当たりのない場合は、お手数ですがこのメールを削除してください。ご登録の内容は変更されていません。
mail-reset-subject = 【資産状況】パスワード再設定のご案内
mail-reset-body =
    パスワード再設定のお申し込みを承りました。
    以下のリンクから新しいパスワードを設定してください（有効期限：30分）。

    { $link }

    お心当たりのない場合は、お手数ですがこのメールを削除してください。パスワードは変更されません。
mail-password-changed-subject = 【資産状況】パスワードが変更されました
mail-password-changed-body =
    ご登録のパスワードが変更されました。

    お心当たりのない場合は、以下のリンクからすぐにお知らせください。すべての端末をログアウトさせ、この変更以降に追加されたパスキーや二段階認証を削除したうえで、パスワード再設定のご案内をお送りします（有効期限：14日）。

    { $link }
mail-deleted-subject = 【資産状況】退会手続き完了のお知らせ
mail-deleted-body =
    退会のお手続きが完了しました。ご登録の情報と資産の記録は削除しました。削除した情報は元に戻すことはできません。
    これまで資産状況サービスをご利用いただき、誠にありがとうございました。
mail-greeting-named = { $name } 様
mail-greeting-customer = お客さま
mail-greeting-operators = 業務担当者各位
mail-closing = ご不明な点がございましたら、下記の窓口までお問い合わせください。
mail-signature-desk = { $bank } { $department }
mail-signature-phone = 電話：{ $phone }（受付時間：{ $hours }）
mail-send-only = このメールは送信専用のアドレスからお送りしています。ご返信いただいてもお答えできませんので、お問い合わせは上記の窓口までお願いいたします。

## ログイン保護とセッション
login-throttled = ログインの失敗が続いたため、一時的にログインを制限しています。{ $minutes }分ほど時間をおいてから、もう一度お試しください。パスワードをお忘れの場合は、再設定をご利用ください。
mail-locked-subject = 【資産状況】ログインを一時的に制限しました
mail-locked-body =
    お客さまのアカウントでログインの失敗が続いたため、安全のため{ $minutes }分間ログインを制限しました。
    お心当たりのない場合は、第三者がログインを試みた可能性があります。パスワードの再設定をおすすめします。
mail-new-device-subject = 【資産状況】新しい端末からのログインがありました
mail-new-device-body =
    { $when }（日本時間）に、これまでご利用のない端末（{ $device }）からログインがありました。
    お心当たりのない場合は、至急パスワードを変更し、「お客さま情報」の「ログイン中の端末」から身に覚えのない端末をログアウトさせてください。
sessions-title = ログイン中の端末
sessions-lead = お客さまのアカウントにログインしている端末の一覧です。身に覚えのない端末は、ログアウトさせてください。
sessions-count = ログイン中の端末（{ $n }件）
sessions-device = 端末
sessions-address = IPアドレス
sessions-created = ログイン日時
sessions-last-seen = 最終利用日時
sessions-end = ログアウトさせる
profile-sessions-link = ログイン中の端末を確認する
notice-session-ended = 選択した端末をログアウトさせました。
sessions-end-others = この端末以外をすべてログアウトさせる
sessions-end-others-hint = 他の端末をログアウトさせる前に、本人確認のためパスワードなどの入力をお願いする場合があります。
notice-other-sessions-ended = この端末以外のすべての端末をログアウトさせました。

## 二段階認証
error-invalid-code = 確認コードが正しくないか、すでに使用されています。認証アプリに表示されている6桁の数字、またはリカバリーコードを入力してください。
notice-code-expired = 確認コードの入力期限が過ぎました。お手数ですが、もう一度ログインしてください。
notice-login-again = ご利用のサービスが、あらためてご本人の確認を求めています。お手数ですが、もう一度ログインしてください。
notice-two-step-off = 二段階認証を無効にしました。
code-title = 確認コードの入力
code-lead = 認証アプリに表示されている6桁の確認コードを入力してください。スマートフォンをお持ちでない場合は、リカバリーコードをご利用いただけます。
field-code = 確認コード
hint-code = 6桁の数字、またはリカバリーコード（例：ABCDE-FGHJK）
hint-code-app = 認証アプリに表示されている6桁の数字
code-submit = 確認する
code-restart = ログインをやり直す
two-step-title = 二段階認証
two-step-summary = ログイン時に、パスワードに加えて認証アプリの確認コードを求めることで、不正なログインを防ぎます。
profile-two-step-link = 二段階認証の設定
two-step-lead = Google Authenticator や Microsoft Authenticator などの認証アプリで設定します。
two-step-scan = 認証アプリで次のQRコードを読み取ってください。
two-step-qr-label = 認証アプリに登録するためのQRコード
two-step-key = QRコードを読み取れない場合は、次のキーを入力してください：
two-step-enter = 認証アプリに表示された6桁の確認コードを入力してください。
two-step-confirm = 設定を完了する
two-step-codes-title = リカバリーコード
two-step-codes-lead = スマートフォンを紛失した場合に、確認コードの代わりに使えるコードです。各コードは1回限り有効です。この画面でしか表示されませんので、印刷するなどして安全な場所に保管してください。
two-step-is-on = 二段階認証は有効です。
two-step-codes-left = 未使用のリカバリーコードは{ $n }件です。
two-step-disable-title = 二段階認証を無効にする
two-step-disable-submit = 無効にする
mail-mfa-enabled-subject = 【資産状況】二段階認証が有効になりました
mail-mfa-enabled-body =
    お客さまのアカウントで二段階認証が有効になりました。今後のログインでは、パスワードに加えて認証アプリの確認コードが必要です。

    お心当たりのない場合は、以下のリンクからすぐにお知らせください。すべての端末をログアウトさせ、この変更以降に追加されたパスキーや二段階認証を削除したうえで、パスワード再設定のご案内をお送りします（有効期限：14日）。

    { $link }
mail-mfa-disabled-subject = 【資産状況】二段階認証が無効になりました
mail-mfa-disabled-body =
    お客さまのアカウントの二段階認証が無効になりました。

    お心当たりのない場合は、以下のリンクからすぐにお知らせください。すべての端末をログアウトさせ、この変更以降に追加されたパスキーや二段階認証を削除したうえで、パスワード再設定のご案内をお送りします（有効期限：14日）。

    { $link }
mail-passkey-added-subject = 【資産状況】パスキーが登録されました
mail-passkey-added-body =
    お客さまのアカウントに新しいパスキーが登録されました。今後はこのパスキーでもログインいただけます。

    お心当たりのない場合は、以下のリンクからすぐにお知らせください。すべての端末をログアウトさせ、この変更以降に追加されたパスキーや二段階認証を削除したうえで、パスワード再設定のご案内をお送りします（有効期限：14日）。

    { $link }
mail-passkey-deleted-subject = 【資産状況】パスキーが削除されました
mail-passkey-deleted-body =
    お客さまのアカウントからパスキーが削除されました。

    お心当たりのない場合は、以下のリンクからすぐにお知らせください。すべての端末をログアウトさせ、この変更以降に追加されたパスキーや二段階認証を削除したうえで、パスワード再設定のご案内をお送りします（有効期限：14日）。

    { $link }
mail-not-me-link = 心当たりがないことを報告する
mail-factors-suspended-subject = 【資産状況】最近追加されたログイン方法を一時停止しました
mail-factors-suspended-body =
    パスワードの再設定にあわせて、安全のため、再設定の直前7日以内に追加されたパスキーと二段階認証を一時停止しました。停止中のログイン方法は使えません。
    お客さまご自身で追加されたものであれば、以下のリンクから再開できます（有効期限：14日）。お心当たりのないものであれば、リンクは開かずにこのメールを削除してください。停止したまま、ログインには影響しません。

    { $link }
mail-factors-suspended-link = 一時停止したログイン方法を再開する

## 行員コンソール
staff-area-name = 資産状況 業務・運用コンソール
staff-nav-home = ホーム
staff-nav-usage = 利用状況
staff-nav-customers = 顧客一覧
staff-nav-applications = 申し込みの審査
staff-nav-new-count = 新着 { $n } 件
staff-footer-note = 行員専用の画面です。操作とお客さま情報の閲覧は、すべて監査ログに記録されます。
staff-login-title = 行員ログイン
staff-login-lead = 当行の業務担当者・システム管理者専用の画面です。
field-username = ユーザー名
staff-login-failed = ユーザー名またはパスワードが正しくありません。
staff-login-disabled = このアカウントは現在ご利用いただけません。システム管理者にお問い合わせください。
staff-enrol-title = 二段階認証の登録
staff-enrol-lead = 行員アカウントでは二段階認証が必須です。登録が完了するまで、ほかの操作はできません。
staff-enrol-done = 二段階認証を登録しました。
staff-home-title = ホーム
staff-home-welcome = ログイン中の行員
staff-home-roles = 担当
staff-home-audited = この画面での操作とお客さま情報の閲覧は、すべて監査ログに記録されます。
staff-reauth-cancel = 書き出さずに戻る
staff-home-nothing = お使いの役割で開ける画面はありません。
staff-home-attention = 要対応
staff-home-applications = 申し込みの審査
staff-home-mine = 自分の担当（未決定）
staff-home-overdue = 期限を過ぎた申し込み
staff-home-count = { $n }件
staff-home-system = システムの状態
staff-home-backup = { $outcome }（{ $at }）
role-operator = 業務担当者
role-admin = システム管理者

oidc-refused-title = 連携のお手続きを続けられません
oidc-refused-body = 連携先のアプリまたはサービスからのご依頼に不備があるため、お手続きを中止しました。お手数ですが、ご利用のアプリの提供元へお問い合わせください。
oidc-refused-link = トップページへ戻る
staff-federation-heading = 社内アカウントでログイン
staff-federation-lead = 社内ディレクトリのアカウントをお持ちの方は、こちらからログインしてください。
staff-federation-start = 社内アカウントでログインする
staff-federation-title = 社内アカウントでのログイン
staff-federation-no-role = この社内アカウントには、このコンソールを利用する権限が付与されていません。権限が必要な場合は、所属部署の管理者にお問い合わせください。
staff-federation-refused = ログインを完了できませんでした。お手数ですが、最初からもう一度お試しください。
staff-federation-unavailable = 社内ディレクトリに接続できないため、ログインを完了できませんでした。しばらくしてからもう一度お試しください。
staff-federation-back = ログイン画面へ戻る

passkeys-title = パスキー
passkeys-summary = パスキーを登録すると、パスワードを入力せずに、スマートフォンやパソコンの生体認証・画面ロックで安全にログインできます。
profile-passkeys-link = パスキーを管理する
passkeys-lead = 登録済みのパスキーは、この画面で確認・削除できます。パスキーはお使いの端末やパスワード管理ツールに保存され、当行にはログインの確認に使う公開鍵のみを保管します。
passkeys-none = 登録済みのパスキーはありません。
passkeys-count = 登録済みのパスキー（{ $n }件）
passkeys-registered = 登録日時
passkeys-last-used = 最終利用日時
passkeys-never = 未使用
passkeys-delete = 削除する
passkeys-add = この端末でパスキーを登録する
passkeys-unavailable = このページのアドレス（URL）では、パスキーをご利用いただけません。
passkey-working = 端末の画面の案内に従って操作してください。
passkey-failed = パスキーの操作を完了できませんでした。もう一度お試しいただくか、別の方法をご利用ください。
passkey-needs-script = パスキーのご利用には、ブラウザーの JavaScript を有効にしてください。
notice-passkey-added = パスキーを登録しました。次回から、パスキーでログインいただけます。
notice-passkey-deleted = パスキーを削除しました。
login-passkey-heading = パスキーでログイン
login-passkey = パスキーでログインする
staff-passkey-enrol = 代わりにパスキーを登録する
staff-passkey-step = パスキーで確認する

## 入力の誤りが続いたときの一時的な制限
factor-locked-title = しばらくお待ちください
code-locked = 確認コードの誤りが続いたため、安全のため確認コードの入力を一時的に制限しています。この間は正しい確認コードもお受けできません。{ $minutes }分ほど時間をおいてから、もう一度お試しください。
password-check-locked = パスワードの誤りが続いたため、安全のためパスワードの確認を一時的に制限しています。この間は正しいパスワードもお受けできません。{ $minutes }分ほど時間をおいてから、もう一度お試しください。
factor-check-locked = パスワードまたは確認コードの誤りが続いたため、安全のため確認を一時的に制限しています。この間は正しい入力もお受けできません。{ $minutes }分ほど時間をおいてから、もう一度お試しください。
staff-reauth-title = ご本人の確認
staff-reauth-lead = お客さまの情報や監査ログを書き出す前に、パスワードと認証アプリの確認コードで、もう一度ご本人であることを確認します。確認から10分間は、続けて操作できます。
staff-reauth-passkey = パスキーで確認する
