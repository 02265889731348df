-- 005_money_integrity.sql: the holes of issue #14 (money integrity) that need the schema.
--
-- * payment_record.client_ip: anonymous seat holds are limited per address (and per
--   browser, by its ticket tokens) — a pending order remembers who asked for it.

ALTER TABLE payment_record ADD COLUMN client_ip VARCHAR(64);

CREATE INDEX idx_pr_pending_camp ON payment_record (camp_id, client_ip)
    WHERE pay_status = 'pending' AND deleted_at IS NULL;

COMMENT ON COLUMN payment_record.client_ip IS '下单客户端 IP（限制同一地址在同一训练营的待支付订单数）';

-- * payment_exception: a full refund WeChat refuses (unknown transaction, 4xx) used to be
--   retried every minute for ever.  After 3 refusals the exception is 'failed' (the
--   reasons are in detail), alerts once, and staff close it as 已处理 or 已线下退款.

ALTER TABLE payment_exception ADD COLUMN refund_refusals INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payment_exception ADD CONSTRAINT chk_pe_refusals CHECK (refund_refusals >= 0);
ALTER TABLE payment_exception DROP CONSTRAINT chk_pe_status;
ALTER TABLE payment_exception ADD CONSTRAINT chk_pe_status
    CHECK (status IN ('open', 'refunding', 'refunded', 'resolved', 'failed'));

COMMENT ON COLUMN payment_exception.refund_refusals IS '全额退款被微信拒绝的次数（3 次后状态为 failed）';
COMMENT ON COLUMN payment_exception.status IS '状态: open-待处理, refunding-退款中, refunded-已退款（含已线下退款）, resolved-已处理（无需退款）, failed-退款失败（微信拒绝 3 次，待人工处理）';

-- * camp_member: one ZSXQ user is bound (confidence 100: ID and nickname matched, or bound
--   by hand) to at most one paid member per camp — a coach could bind a non-participant to
--   the most active ZSXQ user and have two refunds paid for one person's check-ins.
--   Existing duplicates keep the hand-bound (else the oldest) member; the others drop to
--   66 with a flag, for staff to sort out.

WITH ranked AS (
    SELECT cm.id,
           row_number() OVER (PARTITION BY cm.camp_id, cm.planet_user_id
                              ORDER BY EXISTS (SELECT 1 FROM payment_record p WHERE p.member_id = cm.id
                                                 AND p.bind_method = 'manual') DESC, cm.id) AS n
      FROM camp_member cm
     WHERE cm.paid AND cm.deleted_at IS NULL AND cm.planet_user_id IS NOT NULL AND cm.match_confidence = 100
)
UPDATE camp_member cm
   SET match_confidence = 66, match_flags = concat_ws(',', cm.match_flags, '星球用户已绑定其他会员')
  FROM ranked r
 WHERE r.id = cm.id AND r.n > 1;

CREATE UNIQUE INDEX uq_cm_bound_planet_user ON camp_member (camp_id, planet_user_id)
    WHERE paid AND deleted_at IS NULL AND planet_user_id IS NOT NULL AND match_confidence = 100;

-- * 取消训练营: a camp with paid or pending orders is never deleted.  Cancelling closes its
--   pending orders at WeChat, proposes a full refund for every paid member (through the
--   normal audit) and hides the camp from H5; a success callback that still arrives is a
--   payment exception (reason camp_cancelled).

ALTER TABLE training_camp ADD COLUMN cancelled_at timestamptz;
ALTER TABLE training_camp ADD COLUMN cancelled_by BIGINT REFERENCES system_user (id);

COMMENT ON COLUMN training_camp.cancelled_at IS '取消时间（取消后不在 H5 显示、不可报名；待支付订单关闭，已支付会员全额退款提议）';
COMMENT ON COLUMN training_camp.cancelled_by IS '取消人（system_user.id）';

ALTER TABLE payment_exception DROP CONSTRAINT chk_pe_reason;
ALTER TABLE payment_exception ADD CONSTRAINT chk_pe_reason
    CHECK (reason IN ('wrong_amount', 'unknown_order', 'order_closed', 'duplicate_planet_id',
                      'camp_cancelled', 'other'));
COMMENT ON COLUMN payment_exception.reason IS '原因: wrong_amount-金额不符, unknown_order-未知订单, order_closed-订单已关闭, duplicate_planet_id-星球ID已报名, camp_cancelled-训练营已取消, other-其他';
