-- Taking over a colleague's case is a step of the review's history, with the reason the new
-- operator gave (sealed like the other reasons).
ALTER TABLE application_events DROP CONSTRAINT application_events_kind_check;
ALTER TABLE application_events ADD CONSTRAINT application_events_kind_check
    CHECK (kind IN ('approval_proposed', 'override_proposed', 'approved', 'rejected', 'returned', 'resubmitted', 'reassigned'));
