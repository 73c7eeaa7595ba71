-- The history of one record (`GET /audit-log?target=<id>`, what the UI shows for a rotation or a
-- sync) reads this index range instead of walking the organization's whole log backwards.
CREATE INDEX audit_log_target ON audit_log (org_id, target, id);
