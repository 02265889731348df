-- 005_money_integrity.sql: the holes of issue #14 (money integrity) that need the schema.
--
-- * payment_record.client_ip: anonymous seat holds are limited per address (and per
--   browser, by its ticket tokens) — a pending order remembers who asked for it.

ALTER TABLE payment_record ADD COLUMN client_ip VARCHAR(64);

CREATE INDEX idx_pr_pending_camp ON payment_record (camp_id, client_ip)
    WHERE pay_status = 'pending' AND deleted_at IS NULL;

COMMENT ON COLUMN payment_record.client_ip IS '下单客户端 IP（限制同一地址在同一训练营的待支付订单数）';
