# 運用コンソール（管理者）
staff-nav-ops = 運用ダッシュボード
staff-nav-alerts = アラート
staff-nav-audit = 監査ログ
staff-nav-logs = エラーログ

ops-dashboard-title = 運用ダッシュボード
ops-range-label = 表示する期間
ops-range-1h = 直近1時間
ops-range-24h = 直近24時間
ops-range-7d = 直近7日間
ops-live-pause = 自動更新を停止
ops-live-resume = 自動更新を再開
ops-live-updated = 最終更新
ops-live-failed = 更新できませんでした。表示は前回の内容です。
ops-live-reload = 最新の情報に更新
ops-live-as-of = 表示時点：
ops-status = 稼働状況
ops-dep-database = データベース
ops-dep-documents = 書類ストレージ
ops-dep-mail = メールサーバー
ops-dep-disk = ディスク
ops-health-ok = 正常
ops-health-warn = 注意
ops-health-down = 停止
ops-disk-free = 空き容量 { $free }（{ $percent }%）
ops-open-alerts = 未対応のアラート
ops-open-alerts-count = { $n } 件
ops-open-alerts-link = アラート一覧を表示
ops-backup = 直近のバックアップ
ops-backup-none = バックアップの記録はまだありません
ops-backup-ok = 成功
ops-backup-failed = 失敗
ops-instances = 稼働中のプロセス
ops-instance = プロセス
ops-instance-roles = 役割
ops-instance-state = 状態
ops-instance-started = 起動
ops-instance-seen = 最終応答
ops-instance-version = バージョン
ops-instance-up = 稼働中
ops-instance-stale = 応答なし
ops-charts = 推移
ops-chart-requests = リクエスト数（毎分）
ops-chart-errors = サーバーエラー率
ops-chart-latency = 応答時間
ops-chart-logins = ログイン
ops-chart-security = 認証・防御の記録
ops-chart-outbox = 送信待ちの通知
ops-chart-outbox-age = 最も古い送信待ちの経過時間（秒）
ops-chart-database = データベースの容量
ops-chart-disk = ディスクの空き容量
ops-series-requests = リクエスト
ops-series-errors = エラー率
ops-series-p50 = 中央値
ops-series-p95 = 95パーセンタイル
ops-series-p99 = 99パーセンタイル
ops-series-logins = 成功
ops-series-login-failures = 失敗
ops-series-token-failures = トークン検証失敗
ops-series-waf-matches = WAF検知
ops-series-rate-limited = 回数制限
ops-series-outbox-depth = 送信待ち
ops-series-outbox-oldest = 経過秒数
ops-series-database-bytes = 容量
ops-series-disk-free = 空き容量
ops-chart-summary = 最新 { $latest }、期間中の最大 { $peak }
ops-chart-no-data = この期間の記録はありません

ops-alerts-title = アラート
ops-alerts-filter = 表示するアラート
ops-alerts-open = 対応中
ops-alerts-history = 履歴
ops-alerts-none-open = 対応中のアラートはありません。
ops-alerts-none-ever = アラートの記録はありません。
ops-alert-state = 状態
ops-alert-state-pending = 確認中
ops-alert-state-firing = 発生中
ops-alert-state-resolved = 復旧済み
ops-alert-subject = 対象
ops-alert-started = 検知日時
ops-alert-resolved = 復旧日時
ops-alert-acknowledged-at = 確認日時
ops-alert-acknowledge = 確認しました（通知を止める）
ops-alert-acknowledged = アラートを確認済みにしました。再通知は行われません。
ops-alert-settled = このアラートはすでに確認済みか、復旧しています。
ops-more = さらに表示

ops-audit-title = 監査ログ
ops-audit-lead = すべての操作の記録です。利用者は識別子のみで記録され、氏名や住所は含まれません。
ops-audit-search = 監査ログの検索
ops-audit-errors = 検索条件を確認してください。
ops-audit-error-role = 立場は一覧から選択してください。
ops-audit-error-outcome = 結果は一覧から選択してください。
ops-audit-error-long = 検索語は200文字以内で入力してください。
ops-audit-error-time = 日時は「2026-11-21T09:30」の形式で入力してください。
ops-audit-error-order = 終了日時は開始日時より後にしてください。
ops-audit-any = すべて
ops-audit-actor = 実行者
ops-audit-role = 立場
ops-audit-role-anonymous = 未ログイン
ops-audit-role-customer = お客さま
ops-audit-role-staff = 行員
ops-audit-role-system = システム
ops-audit-role-client = 連携アプリ
ops-audit-action = 操作
ops-audit-action-hint = 例：customer.login（末尾を * にすると前方一致：customer.*）
ops-audit-target = 対象
ops-audit-target-hint = 例：customer:（お客さま番号）
ops-audit-outcome = 結果
ops-audit-outcome-success = 成功
ops-audit-outcome-failure = 失敗
ops-audit-outcome-denied = 拒否
ops-audit-ip = 接続元IPアドレス
ops-audit-request-id = リクエストID
ops-audit-from = 開始日時（日本時間）
ops-audit-to = 終了日時（日本時間）
ops-audit-search-button = 検索する
ops-audit-clear = 条件をクリア
ops-audit-export = この条件でCSVを出力
ops-audit-export-note = 出力は監査ログに記録されます（最大10万件）。
ops-audit-none = 条件に合う記録はありません。
ops-audit-caption = 検索結果（新しい順）
ops-audit-seq = 番号
ops-audit-at = 日時（日本時間）
ops-audit-older = さらに古い記録を表示

ops-logs-title = エラーログ
ops-logs-lead = 各プロセスが出力した警告とエラーです。リクエストIDから同じリクエストの監査ログを確認できます。
ops-logs-filter = 表示する重要度
ops-logs-errors = エラーのみ
ops-logs-all = 警告を含む
ops-logs-none = 記録はありません。
ops-logs-caption = 直近の記録（新しい順）
ops-logs-at = 日時
ops-logs-level = 重要度
ops-logs-level-warn = 警告
ops-logs-level-error = エラー
ops-logs-message = 内容
ops-logs-target = 出力元

# アラート通知
alert-kind-failure = 障害
alert-kind-security = セキュリティ
alert-notice-fired = [assetstatus] 【{ $kind }】{ $title }
alert-notice-reminder = [assetstatus] 【{ $kind }・継続中】{ $title }
alert-notice-recovered = [assetstatus] 【復旧】{ $title }
alert-notice-body =
    管理者各位

    { $detail }

    対象：{ $subject }
    検知日時：{ $started }
    通知日時：{ $now }
    アラートID：{ $id }

    運用コンソールで状況をご確認ください。
    { $link }

    このメールは assetstatus の監視により自動で送信しています。
alert-rule-readiness = データベースに接続できません
alert-rule-document_store = 書類ストレージに接続できません
alert-rule-smtp = メールサーバーに接続できません
alert-rule-error_rate = サーバーエラーが増えています
alert-rule-latency = 応答が遅くなっています
alert-rule-outbox_backlog = 通知の送信が滞っています
alert-rule-disk_space = ディスクの空き容量が不足しています
alert-rule-backup = バックアップが完了していません
alert-rule-password_failures_account = 同じアカウントへのパスワード誤りが続いています
alert-rule-password_failures_network = 同じネットワークからのパスワード誤りが続いています
alert-rule-credential_stuffing = 多数のアカウントへのログイン試行（リスト型攻撃の疑い）
alert-rule-refresh_token_reuse = 使用済みのリフレッシュトークンが再提示されました
alert-rule-waf_blocks = WAFによる遮断が急増しています
alert-rule-staff_new_address = 行員アカウントが初めてのアドレスからログインしました
alert-rule-staff_document_views = 行員による本人確認書類の閲覧が通常より多くなっています
alert-rule-audit_chain = 監査ログの改ざんを検知しました
alert-detail-readiness = データベースが { $value } 秒間応答していません。
alert-detail-document_store = 書類ストレージが応答していません。書類の提出と審査ができません。
alert-detail-smtp = メールサーバーが応答していません。メールは送信待ちとして保存され、復旧後に送信されます。
alert-detail-error_rate = 直近 { $minutes } 分間のサーバーエラー率が { $value }% です（基準 { $threshold }%）。
alert-detail-latency = 直近 { $minutes } 分間の応答時間（95パーセンタイル）が { $value } ミリ秒です（基準 { $threshold } ミリ秒）。
alert-detail-outbox_backlog = 最も古い送信待ちの通知が { $value } 秒間送信されていません（基準 { $threshold } 秒）。
alert-detail-disk_space = ディスクの空き容量が { $value }% です（基準 { $threshold }%）。
alert-detail-backup = 最後に成功したバックアップから { $value } 時間が経過したか、直近のバックアップが失敗しています（基準 { $threshold } 時間）。
alert-detail-password_failures_account = 直近 { $minutes } 分間に { $subject } へのパスワード誤りが { $value } 回ありました（基準 { $threshold } 回）。
alert-detail-password_failures_network = 直近 { $minutes } 分間に { $subject } からのパスワード誤りが { $value } 回ありました（基準 { $threshold } 回）。
alert-detail-credential_stuffing = 直近 { $minutes } 分間に { $subject } から { $value } 件のアカウントへのログイン失敗がありました（基準 { $threshold } 件）。
alert-detail-refresh_token_reuse = 直近 { $minutes } 分間に使用済みのリフレッシュトークンが { $value } 回提示されました。該当する許可はすべて取り消されています。
alert-detail-waf_blocks = 直近 { $minutes } 分間にWAFが { $value } 件のリクエストを遮断しました（基準 { $threshold } 件）。
alert-detail-staff_new_address = { $subject } のログインは、このアカウントで初めてのアドレスからです。本人によるものか確認してください。
alert-detail-staff_document_views = 直近 { $minutes } 分間に { $subject } が本人確認書類を { $value } 回閲覧しました（基準 { $threshold } 回）。
alert-detail-audit_chain = 監査ログの番号 { $value } 付近でハッシュの連鎖または署名付きチェックポイントが一致しません。`assetstatus audit verify` で確認してください。
