## 追加サービスのお申し込み
nav-accounts = 銀行口座
application-title = 追加サービスのお申し込み
application-lead = 当行に口座をお持ちのお客さまは、口座を登録して本人確認書類をお送りいただくと、口座の残高やお取引明細を資産状況とあわせてご覧いただける追加サービスをご利用いただけます。
application-needs-title = ご用意いただくもの
application-needs-account = 当行の口座の支店番号・口座番号と、口座名義（カナ）
application-needs-document = 本人確認書類（運転免許証、マイナンバーカードなど）の画像。JPEGまたはPNG形式でお送りください。
application-start = お申し込みを始める
application-current = 現在のお申し込み
application-number = 受付番号
application-status = 状況
application-submitted-at = お申し込み日時
application-decided-at = 審査完了日時
application-draft-lead = お申し込みはまだ完了していません。続きから入力してください。
application-continue = 続きから入力する
application-submitted-lead = お申し込みを受け付けました。審査結果はメールでお知らせします。
application-under-review-lead = ただいま審査を行っております。審査結果はメールでお知らせします。
application-returned-lead = お申し込み内容について、ご確認をお願いしております。次の内容を修正のうえ、改めてお送りください。
application-returned-what = ご確認いただきたい内容
application-returned-why = 理由
application-returned-when = ご連絡日時
application-returned-fix = 修正する
application-returned-resend = 内容を確認して送信する
application-approved-lead = 審査が完了し、追加サービスをご利用いただけるようになりました。
application-rejected-lead = 誠に恐れ入りますが、今回のお申し込みはお受けできませんでした。内容をご確認のうえ、再度お申し込みください。
application-rejection-reason = 理由：
application-apply-again = 再度お申し込みする
application-earlier = これまでのお申し込み
application-premium-active = 追加サービスをご利用中です。
application-steps = お申し込みの手順
application-step-account = 1. 口座情報
application-step-documents = 2. 本人確認書類
application-step-review = 3. 内容の確認
application-account-title = 口座情報の入力
application-account-lead = ご本人名義の当行の口座をご入力ください。口座名義は、ご登録のお名前（カナ）と同じである必要があります。
field-branch = 支店番号
hint-branch = 3桁の数字（例：123）
field-account-type = 預金種目
field-account-number = 口座番号
hint-account-number = 7桁の数字（例：0123456）
field-holder = 口座名義（カナ）
hint-holder = 例：ヤマダ タロウ（半角カナでも入力いただけます）
application-next = 次へ進む
application-documents-title = 本人確認書類のアップロード
application-documents-lead = 本人確認書類の表面の画像をお送りください。裏面に記載がある場合は、裏面もお送りください。文字がはっきり読めるよう、書類全体を明るい場所で撮影してください。
application-documents-limits = JPEGまたはPNG形式、1ファイル{ $n }MBまで。撮影情報（位置情報など）は保存時に取り除きます。
application-required = 必須
application-file = 画像ファイル
application-upload = アップロードする
application-replace = 別の画像に差し替える
application-remove = 裏面の画像を削除する
application-uploaded = アップロード済み
application-preview-alt = アップロードされた本人確認書類
application-front-needed = 表面の画像をアップロードすると次へ進めます。
application-back-to-account = 口座情報の入力に戻る
application-error-no-file = ファイルが選択されていません。画像ファイルを選択してください。
application-review-title = お申し込み内容の確認
application-review-lead = 以下の内容でお申し込みします。内容をご確認のうえ、お申し込みください。
application-account = 口座
application-change-account = 口座情報を変更する
application-change-documents = 本人確認書類を変更する
application-confirm = 入力した内容に誤りがなく、本人確認書類がご本人のものであることを確認しました
application-submit = この内容で申し込む
application-error-confirm = お申し込みの前に、確認のチェックボックスにチェックを入れてください。
application-error-already-open = 現在お手続き中のお申し込みがあります。お申し込みは同時に一件までです。
application-error-already-approved = 追加サービスはすでにご利用いただいております。
application-status-draft = 入力中
application-status-submitted = 受付済み
application-status-under-review = 審査中
application-status-approved = 承認済み
application-status-rejected = お受けできませんでした
application-status-returned = ご確認のお願い（差し戻し）
application-returned-item-front = 本人確認書類（表面）
application-returned-item-back = 本人確認書類（裏面）
application-returned-item-account = 口座情報
application-side-front = 表面
application-side-back = 裏面
rejection-document-unreadable = 本人確認書類の画像が読み取れませんでした
rejection-document-not-accepted = 有効期限切れ、またはお受けできない種類の本人確認書類でした
rejection-details-mismatch = ご登録の内容と本人確認書類の記載が一致しませんでした
rejection-account-not-confirmed = ご入力の口座を確認できませんでした
rejection-other = その他の理由

## 銀行口座
accounts-title = 銀行口座
accounts-not-linked = 追加サービスをお申し込みいただくと、当行の口座の残高とお取引明細をこちらでご覧いただけます。
accounts-apply = 追加サービスについて
accounts-summary = 口座の概要
accounts-account = 口座
accounts-balance = 残高
accounts-available = お引出し可能額
accounts-balance-trend = 残高の推移
accounts-balance-trend-desc = 口座残高の推移を週ごとの折れ線グラフで示しています。
accounts-transactions = 最近のお取引
accounts-description = お取引内容
accounts-amount = 金額
accounts-balance-after = お取引後残高
dashboard-bank-deposit = 当行の預金
dashboard-bank-unavailable = ただいま口座の情報を取得できないため、銀行口座の残高を含めずに表示しています。しばらくしてから再度ご確認ください。

## お申し込みのメール
mail-application-received-subject = 【資産状況】追加サービスのお申し込みを受け付けました
mail-application-received-body =
    追加サービスにお申し込みいただき、誠にありがとうございます。
    以下の受付番号でお申し込みを受け付けました。

    受付番号：{ $number }

    審査には数営業日いただく場合がございます。審査結果は、あらためてメールでお知らせします。
    お心当たりのない場合は、お手数ですが下記の窓口までお問い合わせください。
mail-application-received-link = お申し込み状況の確認
mail-application-approved-subject = 【資産状況】追加サービスのお申し込みを承認しました
mail-application-approved-body =
    追加サービスのお申し込み（受付番号：{ $number }）の審査が完了し、承認されました。
    本日より、ご登録の口座の残高とお取引明細を資産状況とあわせてご覧いただけます。
mail-application-approved-link = ログインして口座を確認する
mail-application-rejected-subject = 【資産状況】追加サービスのお申し込みについて
mail-application-rejected-body =
    追加サービスのお申し込み（受付番号：{ $number }）につきまして、誠に恐れ入りますが、今回はお受けできませんでした。

    理由：{ $reason }

    詳しい内容は、ログイン後の「追加サービスのお申し込み」の画面でご確認いただけます。内容をご確認のうえ、再度お申し込みください。
mail-application-rejected-link = お申し込み状況の確認
mail-application-returned-subject = 【資産状況】お申し込み内容のご確認のお願い
mail-application-returned-body =
    追加サービスのお申し込み（受付番号：{ $number }）につきまして、次の内容をご確認いただき、修正のうえ改めてお送りいただけますようお願いいたします。

    ご確認いただきたい内容：{ $item }

    理由は、ログイン後の「追加サービスのお申し込み」の画面でご確認いただけます。
mail-application-returned-link = お申し込み内容を確認する
mail-application-new-subject = 【資産状況】追加サービスの新しいお申し込みがあります
mail-application-new-body =
    追加サービスの新しいお申し込みがありました。
    受付番号：{ $number }

    業務コンソールで内容をご確認ください。
mail-application-new-link = 業務コンソールで確認する

## 当行の担当者による閲覧の記録
access-title = 当行の担当者による閲覧の記録
access-lead = お客さまのご登録情報・お申し込み内容・本人確認書類を当行の担当者が閲覧した日時と、その担当者の役割を表示しています（担当者の氏名は表示しません）。
access-none = これまでに当行の担当者が閲覧した記録はありません。
access-when = 閲覧日時
access-who = 閲覧した担当者の役割
access-what = 閲覧した情報
access-profile = ご登録情報
access-application = お申し込み内容（口座情報を含む）
access-document-front = 本人確認書類（表面）
access-document-back = 本人確認書類（裏面）
