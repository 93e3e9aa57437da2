# Operations console (administrators)
staff-nav-ops = Operations
staff-nav-alerts = Alerts
staff-nav-audit = Audit trail
staff-nav-logs = Error log

ops-dashboard-title = Operations dashboard
ops-range-label = Period shown
ops-range-1h = Last hour
ops-range-24h = Last 24 hours
ops-range-7d = Last 7 days
ops-live-pause = Pause automatic updates
ops-live-resume = Resume automatic updates
ops-live-updated = Last updated
ops-live-failed = Could not update. Showing the previous figures.
ops-live-reload = Reload now
ops-live-as-of = As of
ops-status = Status
ops-dep-database = Database
ops-dep-documents = Document store
ops-dep-mail = Mail server
ops-dep-disk = Disk
ops-health-ok = Working
ops-health-warn = Attention
ops-health-down = Down
ops-disk-free = { $free } free ({ $percent }%)
ops-open-alerts = Unacknowledged alerts
ops-open-alerts-count = { $n }
ops-open-alerts-link = Show alerts
ops-backup = Latest backup
ops-backup-none = No backup recorded yet
ops-backup-ok = Succeeded
ops-backup-failed = Failed
ops-instances = Running processes
ops-instance = Process
ops-instance-roles = Roles
ops-instance-state = State
ops-instance-started = Started
ops-instance-seen = Last seen
ops-instance-version = Version
ops-instance-up = Running
ops-instance-stale = Not answering
ops-charts = Trends
ops-chart-requests = Requests per minute
ops-chart-errors = Server error rate
ops-chart-latency = Response time
ops-chart-logins = Logins
ops-chart-security = Authentication and defence
ops-chart-outbox = Notices waiting to be sent
ops-chart-outbox-age = Age of the oldest waiting notice (seconds)
ops-chart-database = Database size
ops-chart-disk = Free disk space
ops-series-requests = Requests
ops-series-errors = Error rate
ops-series-p50 = Median
ops-series-p95 = 95th percentile
ops-series-p99 = 99th percentile
ops-series-logins = Succeeded
ops-series-login-failures = Failed
ops-series-token-failures = Token verification failures
ops-series-waf-matches = Firewall matches
ops-series-rate-limited = Rate-limited
ops-series-outbox-depth = Waiting
ops-series-outbox-oldest = Seconds waiting
ops-series-database-bytes = Size
ops-series-disk-free = Free space
ops-chart-summary = Latest { $latest }, highest in the period { $peak }
ops-chart-no-data = Nothing recorded in this period

ops-alerts-title = Alerts
ops-alerts-filter = Alerts shown
ops-alerts-open = Open
ops-alerts-history = History
ops-alerts-none-open = There are no open alerts.
ops-alerts-none-ever = No alert has been recorded.
ops-alert-state = State
ops-alert-state-pending = Pending
ops-alert-state-firing = Active
ops-alert-state-resolved = Recovered
ops-alert-subject = About
ops-alert-started = Detected
ops-alert-resolved = Recovered
ops-alert-acknowledged-at = Acknowledged
ops-alert-acknowledge = Acknowledge (stop reminders)
ops-alert-acknowledged = The alert is acknowledged. No more reminders will be sent.
ops-alert-settled = This alert was already acknowledged or has recovered.
ops-more = Show more

ops-audit-title = Audit trail
ops-audit-lead = Every recorded action. People appear by identifier only, never by name or address.
ops-audit-search = Search the audit trail
ops-audit-errors = Please check the search fields.
ops-audit-error-role = Choose a capacity from the list.
ops-audit-error-outcome = Choose a result from the list.
ops-audit-error-long = Search terms can be at most 200 characters.
ops-audit-error-time = Enter dates and times as 2026-11-21T09:30.
ops-audit-error-order = The end must be after the start.
ops-audit-any = Any
ops-audit-actor = Actor
ops-audit-role = Capacity
ops-audit-role-anonymous = Not logged in
ops-audit-role-customer = Customer
ops-audit-role-staff = Staff
ops-audit-role-system = System
ops-audit-role-client = Connected app
ops-audit-action = Action
ops-audit-action-hint = For example customer.login (end with * to match a prefix: customer.*)
ops-audit-target = Target
ops-audit-target-hint = For example customer:(customer number)
ops-audit-outcome = Result
ops-audit-outcome-success = Succeeded
ops-audit-outcome-failure = Failed
ops-audit-outcome-denied = Refused
ops-audit-ip = Client IP address
ops-audit-request-id = Request ID
ops-audit-from = From (Japan time)
ops-audit-to = Until (Japan time)
ops-audit-search-button = Search
ops-audit-clear = Clear
ops-audit-export = Export this search as CSV
ops-audit-export-note = The export is recorded in the audit trail (at most 100,000 rows).
ops-audit-none = No entry matches.
ops-audit-caption = Results (newest first)
ops-audit-seq = No.
ops-audit-at = Time (Japan)
ops-audit-older = Show older entries

ops-logs-title = Error log
ops-logs-lead = Warnings and errors logged by every process. A request ID leads to the audit entries of the same request.
ops-logs-filter = Severity shown
ops-logs-errors = Errors only
ops-logs-all = Including warnings
ops-logs-none = Nothing recorded.
ops-logs-caption = Recent events (newest first)
ops-logs-at = Time
ops-logs-level = Severity
ops-logs-level-warn = Warning
ops-logs-level-error = Error
ops-logs-message = Message
ops-logs-target = Source

# Alert notices
alert-kind-failure = Failure
alert-kind-security = Security
alert-notice-fired = [assetstatus] [{ $kind }] { $title }
alert-notice-reminder = [assetstatus] [{ $kind }, still active] { $title }
alert-notice-recovered = [assetstatus] [Recovered] { $title }
alert-notice-body =
    To the administrators,

    { $detail }

    About: { $subject }
    Detected: { $started }
    Notified: { $now }
    Alert ID: { $id }

    Please check the operations console.
    { $link }

    This mail was sent automatically by assetstatus monitoring.
alert-rule-readiness = The database does not answer
alert-rule-document_store = The document store does not answer
alert-rule-smtp = The mail server does not answer
alert-rule-error_rate = Server errors are rising
alert-rule-latency = Responses are slow
alert-rule-outbox_backlog = Notices are not being sent
alert-rule-disk_space = Disk space is running out
alert-rule-backup = Backups are not completing
alert-rule-password_failures_account = Repeated wrong passwords for one account
alert-rule-password_failures_network = Repeated wrong passwords from one network
alert-rule-credential_stuffing = Login attempts on many accounts (credential stuffing suspected)
alert-rule-refresh_token_reuse = A used refresh token was presented again
alert-rule-waf_blocks = Firewall blocks are spiking
alert-rule-staff_new_address = A staff account signed in from a new address
alert-rule-staff_document_views = A member of staff is viewing unusually many identity documents
alert-rule-audit_chain = Tampering with the audit trail detected
alert-detail-readiness = The database has not answered for { $value } seconds.
alert-detail-document_store = The document store does not answer. Documents can be neither submitted nor reviewed.
alert-detail-smtp = The mail server does not answer. Mails are kept waiting and sent once it is back.
alert-detail-error_rate = { $value }% of answers in the last { $minutes } minutes were server errors (threshold { $threshold }%).
alert-detail-latency = The 95th-percentile response time in the last { $minutes } minutes is { $value } ms (threshold { $threshold } ms).
alert-detail-outbox_backlog = The oldest waiting notice has not been sent for { $value } seconds (threshold { $threshold } seconds).
alert-detail-disk_space = { $value }% of the disk is free (threshold { $threshold }%).
alert-detail-backup = { $value } hours have passed since the last successful backup, or the latest backup failed (threshold { $threshold } hours).
alert-detail-password_failures_account = { $value } wrong passwords for { $subject } in the last { $minutes } minutes (threshold { $threshold }).
alert-detail-password_failures_network = { $value } wrong passwords from { $subject } in the last { $minutes } minutes (threshold { $threshold }).
alert-detail-credential_stuffing = Failed logins on { $value } accounts from { $subject } in the last { $minutes } minutes (threshold { $threshold }).
alert-detail-refresh_token_reuse = A used refresh token was presented { $value } times in the last { $minutes } minutes. The grants concerned have been revoked.
alert-detail-waf_blocks = The firewall blocked { $value } requests in the last { $minutes } minutes (threshold { $threshold }).
alert-detail-staff_new_address = { $subject } signed in from an address this account has never used. Please confirm it was them.
alert-detail-staff_document_views = { $subject } viewed identity documents { $value } times in the last { $minutes } minutes (threshold { $threshold }).
alert-detail-audit_chain = Around entry { $value } the hash chain or a signed checkpoint of the audit trail does not match. Run `assetstatus audit verify`.
