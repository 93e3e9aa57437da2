-- /metrics counts audited events by action and outcome at every scrape.
CREATE INDEX audit_log_action_outcome ON audit_log (action, outcome);
