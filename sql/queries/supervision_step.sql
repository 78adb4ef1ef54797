-- A step of a supervision: acknowledge (签收), feedback (反馈: the first
-- one's time is kept, the latest note) or lift (摘牌). The guard of
-- migration 0015 checks who may take it.
-- $1 id, $2 action, $3 actor, $4 note
UPDATE hazard_supervision SET
    acked_by      = CASE WHEN $2 = 'acknowledge' THEN $3 ELSE acked_by END,
    acked_at      = CASE WHEN $2 = 'acknowledge' THEN now() ELSE acked_at END,
    ack_note      = CASE WHEN $2 = 'acknowledge' THEN $4 ELSE ack_note END,
    fed_back_by   = CASE WHEN $2 = 'feedback' AND fed_back_at IS NULL THEN $3 ELSE fed_back_by END,
    fed_back_at   = CASE WHEN $2 = 'feedback' AND fed_back_at IS NULL THEN now() ELSE fed_back_at END,
    feedback_note = CASE WHEN $2 = 'feedback' THEN $4 ELSE feedback_note END,
    feedbacks     = feedbacks + CASE WHEN $2 = 'feedback' THEN 1 ELSE 0 END,
    lifted_by     = CASE WHEN $2 = 'lift' THEN $3 ELSE lifted_by END,
    lifted_at     = CASE WHEN $2 = 'lift' THEN now() ELSE lifted_at END,
    lift_note     = CASE WHEN $2 = 'lift' THEN $4 ELSE lift_note END
WHERE id = $1;
