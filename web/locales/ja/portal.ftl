## 画面の骨組み（メニュー、金額の表示切り替え）
meta-description = 預金・株式・不動産・ローンなどの資産を記録し、グラフで確認できる当行のサービスです。
tab-home = ホーム
tab-assets = 資産
tab-accounts = 口座・お申し込み
tab-settings = 設定
privacy-hide = 金額を隠す
privacy-show = 金額を表示

## 変更後のお知らせ
notice-asset-created = 資産を登録しました。ホームのグラフと合計に反映されています。
notice-asset-updated = 資産の内容を更新しました。
notice-asset-deleted = 資産を削除しました。これまでの推移はグラフに残ります。
notice-valuation-added = 評価額を記録しました。推移のグラフに反映されています。
notice-assets-imported = ファイルから資産を登録しました。内容をご確認ください。
notice-two-step-on = 二段階認証を有効にしました。次回から、ログインの際に確認コードの入力をお願いします。
notice-account-saved = 口座情報を保存しました。続いて、本人確認書類をアップロードしてください。
notice-document-uploaded = 本人確認書類をアップロードしました。
notice-document-removed = 本人確認書類（裏面）を削除しました。
notice-application-submitted = お申し込みを受け付けました。審査の結果はメールでお知らせします。

## 入力欄の印
label-required = 必須
label-optional = 任意

## ホーム（資産の概要）
dashboard-changes = 純資産の増減
dashboard-change-month = 先月比
dashboard-change-year = 前年比
dashboard-as-of = { $date }時点
dashboard-empty-title = 資産を登録して、全体を見える化しましょう
dashboard-empty-step-1 = 預金や株式など、お持ちの資産を登録します。
dashboard-empty-step-2 = ローンなどの負債も登録すると、純資産がわかります。
dashboard-empty-step-3 = 評価額を更新するたびに、推移がグラフに残ります。
dashboard-liabilities-apart = 負債
dashboard-trend-legend = グラフの凡例
dashboard-see-assets = 資産一覧を見る
dashboard-axis-unit = 単位：円

## 資産一覧と資産ごとの画面
assets-none-lead = 預金、株式、投資信託、不動産、ローンなどを登録すると、合計と推移をいつでも確認できます。
assets-subtotal = 小計
assets-stale-prompt = { $n }件の資産は、評価日から90日以上たっています。最新の評価額の記録をおすすめします。
assets-stale-badge = 90日以上前
assets-files = ファイルで管理する
assets-files-lead = 表計算ソフトで作成したCSVファイルから登録したり、登録済みの資産を書き出したりできます。
asset-updated-at = 最終更新
asset-stale-lead = 評価日から90日以上たっています。最新の残高や評価額を確認して、下の「評価額を記録する」からご記録ください。
valuation-add-title = 評価額を記録する
valuation-add-lead = 残高や評価額を確認した日と金額を入力してください。過去の日付の記録も追加できます。
valuation-add-submit = 記録する
valuation-history = 評価額の推移
valuation-change = 前回との差
valuation-chart-desc = この資産の評価額の推移を折れ線グラフで示しています。

## トップページ
home-signup = 無料で新規登録
home-feature-see = ひと目でわかる
home-feature-history = 推移をたどれる
home-feature-safe = 安心して使える
hint-note = 口座番号の一部や満期日など、ご自身のための覚え書きにお使いください。

## お申し込みの手続き・銀行口座・設定の各画面
application-stepper-account = 口座情報
application-stepper-documents = 本人確認書類
application-stepper-review = 内容の確認
application-stepper-done = （完了）
application-account-next = 次の画面で、本人確認書類の画像をアップロードしていただきます。
application-saved-account = 保存済みの口座情報
application-preview-enlarge = （画像を拡大して表示）
application-preview-hint = 画像を押すと、拡大して表示します。
application-file-other = 別の画像を選ぶ
application-next-title = 次の手順
application-documents-ready = 表面の画像をお預かりしました。次の画面で、お申し込みの内容をご確認ください。
application-review-account = お送りする口座情報
application-review-documents = お送りする本人確認書類
application-after-title = お申し込み後の流れ
application-after-review = 当行で口座情報と本人確認書類を確認し、審査を行います。
application-after-mail = 審査の結果は、ご登録のメールアドレスにお知らせします。この画面でもご確認いただけます。
application-after-locked = 審査の間は、お申し込みの内容を変更できません。
application-start-title = 追加サービスのご案内
application-timeline-title = お手続きの状況
application-timeline-received = 受付
application-timeline-review = 審査中
application-timeline-result = 結果
application-timeline-pending = これからです
application-timeline-now = ただいまこの段階です
application-next-review = このあと、当行で審査を行います。審査が始まると、状況が「審査中」に変わります。
access-grouped = 同じ役割の担当者が同じ情報を30分以内に続けて閲覧した場合は、1行にまとめて回数を表示しています。
access-views = { $n }回
access-visit-span = { $from }〜{ $to }
accounts-not-linked-title = 口座の残高と明細をご覧いただけます
accounts-no-transactions = 表示できるお取引はありません。
accounts-deposit = 入金
accounts-withdrawal = 出金
settings-back = 設定に戻る
settings-security = ログインとセキュリティ
settings-password = パスワード
settings-password-sub = パスワードを変更できます。
settings-password-others = パスワードを変更すると、この端末以外ではログアウトします。
settings-on = 有効
settings-off = 未設定
settings-status = 現在の設定
settings-passkeys-count = { $n ->
    [0] 登録されていません
   *[other] { $n }件登録済み
}
settings-sessions-count = { $n }台の端末でログイン中
settings-sessions-hint = 「ログアウトさせる」を押すと、その端末では次回からログインが必要になります。この端末を選ぶと、ログアウトします。
settings-this-device = この端末
settings-language-lead = 画面の表示と、当行からお送りするメールの言語を選べます。
settings-language-submit = 言語を保存する
settings-passkey-add-title = パスキーの登録
two-step-setup-title = 設定の手順
two-step-disable-lead = 無効にすると、ログインの際に確認コードを求めなくなります。ご本人の確認のため、パスワードと確認コード（またはリカバリーコード）を入力してください。
two-step-codes-copy = コードをコピーする
two-step-codes-print = コードを印刷する
two-step-codes-copied = リカバリーコードをコピーしました。安全な場所に保管してください。
two-step-codes-copy-failed = コピーできませんでした。コードを書き留めるか、印刷してください。
two-step-codes-keep = コードを書き留めるか、ブラウザの印刷機能で印刷して、他の人の目に触れない場所に保管してください。
two-step-codes-done = 保管しました。設定に戻る
delete-what-title = 退会すると、次のようになります
delete-what-details = お名前・メールアドレス・生年月日などのご登録の情報と、資産の記録を直ちに削除します。
delete-what-application = 追加サービスのお申し込み内容と本人確認書類も削除します。
delete-what-final = 削除した情報は、当行でも元に戻すことはできません。
delete-what-backup = 当行のバックアップに残る写しも、次回の定期バックアップ（通常は1日以内）の際に読み出せない状態にします。
delete-what-log = 不正防止のための操作の記録は、お名前などを含まない形で保管します。
delete-before-title = 退会の前に
delete-before-export = 資産の記録を手元に残したい場合は、退会の前にファイルに書き出してください。
delete-before-export-link = 資産一覧（書き出し）へ
delete-form-title = 退会のお手続き
dashboard-of-which = うち
list-separator = {" "}・{" "}

## 本人確認（ステップアップ認証）と不正利用の報告
reauth-title = ご本人の確認
reauth-lead = 大切な設定を変更するため、もう一度ご本人であることを確認させてください。確認から10分間は、続けて変更いただけます。
reauth-submit = 確認して続ける
reauth-passkey-heading = パスキーで確認する
reauth-passkey = パスキーで確認する
reauth-cancel = 変更せずに戻る
not-me-title = 心当たりのない変更の報告
not-me-lead = 下のボタンを押すと、すべての端末をログアウトさせ、お知らせした変更以降に追加されたパスキーと二段階認証を削除します。パスワードも使えなくなりますので、メールでお送りするご案内から新しいパスワードを設定してください。
not-me-submit = 心当たりがないことを報告する
not-me-done-title = ご報告ありがとうございました
not-me-done-body = すべての端末をログアウトさせ、お知らせした変更以降に追加されたログイン方法を削除しました。ご登録のメールアドレスにパスワード再設定のご案内をお送りしましたので、新しいパスワードを設定してください。ご不明な点は、当行の担当者までお問い合わせください。
keep-factors-title = 一時停止したログイン方法の再開
keep-factors-lead = パスワードの再設定にあわせて一時停止したパスキーと二段階認証を、再びご利用いただけるようにします。お客さまご自身で追加されたものであることをご確認のうえ、お進みください。
keep-factors-submit = 再開する
keep-factors-done-title = ログイン方法を再開しました
keep-factors-done-body = 一時停止していたパスキーと二段階認証を、再びご利用いただけます。
security-link-invalid-body = リンクの有効期限が切れているか、すでに使用されています。ご不明な点は、当行の担当者までお問い合わせください。
verify-lead-password = ご本人の確認のため、ご登録時に設定したパスワードを入力して、メールアドレスの確認を完了してください。
verify-password = ご登録時に設定したパスワード
verify-not-you = ご自身で登録されていない場合は、このページを閉じてください。ご登録は完了せず、24時間で無効になります。
passkeys-suspended = 一時停止中
passkeys-suspended-hint = パスワードの再設定にあわせて一時停止しています。再開するには、お送りしたメールのリンクを開いてください。
passkeys-reauth-first = パスキーを追加する前に、ご本人の確認をお願いしています。
passkeys-reauth-link = ご本人を確認して追加に進む
