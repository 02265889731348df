-- 002_alerts.sql: one outbox row per notice and recipient at most, where a notice says so.
-- Staff alerts "once a day" and member reminders "once per member and type" carry a
-- dedupe_key; the partial unique index makes a re-run of the job a no-op.

ALTER TABLE notification_message ADD COLUMN dedupe_key VARCHAR(200);

CREATE UNIQUE INDEX uq_nm_dedupe ON notification_message (recipient_type, recipient_id, dedupe_key)
    WHERE dedupe_key IS NOT NULL;

COMMENT ON COLUMN notification_message.dedupe_key IS '去重键：同一接收人同一键只发一次（如每日告警、每名会员每类提醒一次）';
