-- 011_sealed_payment_data.sql: payment data sealed at rest (PRD §5.2, issue #17).
--
-- openids and WeChat Pay's decrypted JSON (callbacks, queries, bills, the snapshots of the
-- payment audit log) are stored only sealed: AES-256-GCM under a key derived from the master
-- key (HKDF label camp-paydata-v1, apart from the settings key camp-config-v1), "v2:<key id>:"
-- + base64(iv || ciphertext || tag), the associated data naming table.column#row so a value
-- copied to another row or column does not open.  openids are found by a blind index
-- (HMAC-SHA256 under the key labelled camp-openid-index-v1, lowercase hex).  What SQL itself
-- needs of a sealed value (the books read WeChat's create_time and out_refund_no of refund
-- answers) has a plain column of its own.
--
-- SQL cannot see the master key: this migration moves the plaintext into a temporary table
-- that lives until the end of the migration's transaction, and the data step of campctl
-- migrate (src/domain/rekey.c, run right after this file in the same transaction) seals it
-- into the new columns and reseals the settings with the key id.  Nothing plain is left
-- behind when the transaction commits; nothing at all changes when it fails.
--
-- Row identities (the "#row" of the associated data), here and in the C code alike:
--   camp_member, payment_record: id | payment_transaction: transaction_id |
--   payment_exception: transaction_id "/" out_trade_no | payment_audit_log: payment_id "/" action_type
-- (NULL written as '' and a missing payment_id as 0).

-- =====================================================================================
-- master_key — the id of the master key everything is sealed under
-- =====================================================================================

CREATE TABLE master_key (
    singleton  BOOLEAN      PRIMARY KEY DEFAULT true,
    key_id     CHAR(8)      NOT NULL,
    since      timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT chk_mk_singleton CHECK (singleton),
    CONSTRAINT chk_mk_key_id CHECK (key_id ~ '^[0-9a-f]{8}$')
);

COMMENT ON TABLE  master_key IS '主密钥标识（一行）：所有加密值（配置、支付数据）都在此密钥下；campctl rekey 轮换时更新';
COMMENT ON COLUMN master_key.key_id IS '主密钥 ID（HKDF(主密钥, "camp-key-id-v1") 前 4 字节的十六进制）；不泄露密钥本身';
COMMENT ON COLUMN master_key.since IS '自何时起使用此密钥（迁移或轮换时间）';

-- =====================================================================================
-- The plaintext, for the data step only (dropped when the transaction ends)
-- =====================================================================================

CREATE TEMP TABLE seal_011 (
    tbl  TEXT   NOT NULL,
    id   BIGINT NOT NULL,
    row  TEXT   NOT NULL,
    c0   TEXT,
    c1   TEXT,
    PRIMARY KEY (tbl, id)
) ON COMMIT DROP;

INSERT INTO seal_011 (tbl, id, row, c0)
SELECT 'camp_member', id, id::text, openid
  FROM camp_member WHERE openid <> '';
INSERT INTO seal_011 (tbl, id, row, c0, c1)
SELECT 'payment_record', id, id::text, NULLIF(openid, ''), callback_data::text
  FROM payment_record WHERE openid <> '' OR callback_data IS NOT NULL;
INSERT INTO seal_011 (tbl, id, row, c0, c1)
SELECT 'payment_transaction', id, COALESCE(transaction_id, ''), NULLIF(openid, ''), raw::text
  FROM payment_transaction WHERE openid <> '' OR raw IS NOT NULL;
INSERT INTO seal_011 (tbl, id, row, c0, c1)
SELECT 'payment_exception', id, COALESCE(transaction_id, '') || '/' || COALESCE(out_trade_no, ''),
       NULLIF(payer_openid, ''), raw::text
  FROM payment_exception WHERE payer_openid <> '' OR raw IS NOT NULL;
INSERT INTO seal_011 (tbl, id, row, c0, c1)
SELECT 'payment_audit_log', id, COALESCE(payment_id, 0)::text || '/' || action_type,
       request_data::text, response_data::text
  FROM payment_audit_log WHERE request_data IS NOT NULL OR response_data IS NOT NULL;

-- =====================================================================================
-- What the books need of refund answers, in plain columns of their own
-- =====================================================================================

ALTER TABLE payment_audit_log
    ADD COLUMN out_refund_no      VARCHAR(64),
    ADD COLUMN wechat_created_at  timestamptz;

UPDATE payment_audit_log
   SET out_refund_no = response_data->>'out_refund_no',
       wechat_created_at = books_ts(response_data->>'create_time')
 WHERE response_data IS NOT NULL
   AND (response_data ? 'out_refund_no' OR response_data ? 'create_time');

CREATE INDEX idx_pal_out_refund_no ON payment_audit_log (out_refund_no) WHERE out_refund_no IS NOT NULL;

COMMENT ON COLUMN payment_audit_log.out_refund_no IS '应答中的商户退款单号（退款申请/查询；对账用）';
COMMENT ON COLUMN payment_audit_log.wechat_created_at IS '应答中的微信 create_time（退款受理时间；对账用）';

-- =====================================================================================
-- The plaintext columns go, the sealed ones come
-- =====================================================================================

-- the views name the plaintext columns (v_member_full_info through p.*): made again below
DROP VIEW payment_mapping;
DROP VIEW v_member_full_info;

ALTER TABLE camp_member
    DROP COLUMN openid,
    ADD COLUMN openid_sealed TEXT,
    ADD COLUMN openid_index  CHAR(64);
CREATE INDEX idx_cm_openid_index ON camp_member (openid_index)
    WHERE openid_index IS NOT NULL AND deleted_at IS NULL;
COMMENT ON COLUMN camp_member.openid_sealed IS '付款人微信 openid（加密存储，关联数据 camp_member.openid#id）';
COMMENT ON COLUMN camp_member.openid_index IS 'openid 盲索引（HMAC-SHA256，按 openid 查找用）';

ALTER TABLE payment_record
    DROP COLUMN openid,
    DROP COLUMN callback_data,
    ADD COLUMN openid_sealed   TEXT,
    ADD COLUMN openid_index    CHAR(64),
    ADD COLUMN callback_sealed TEXT;
CREATE INDEX idx_pr_openid_index ON payment_record (openid_index) WHERE openid_index IS NOT NULL;
COMMENT ON COLUMN payment_record.openid_sealed IS '付款人 openid（加密存储，关联数据 payment_record.openid#id）';
COMMENT ON COLUMN payment_record.openid_index IS 'openid 盲索引（HMAC-SHA256，按 openid 查找用）';
COMMENT ON COLUMN payment_record.callback_sealed IS '支付回调（解密后）原始数据（加密存储，关联数据 payment_record.callback_data#id）';

ALTER TABLE payment_transaction
    DROP COLUMN openid,
    DROP COLUMN raw,
    ADD COLUMN openid_sealed TEXT,
    ADD COLUMN raw_sealed    TEXT;
COMMENT ON COLUMN payment_transaction.openid_sealed IS '付款人 openid（加密存储，关联数据 payment_transaction.openid#transaction_id）';
COMMENT ON COLUMN payment_transaction.raw_sealed IS '解密后的原始资源 JSON（加密存储，关联数据 payment_transaction.raw#transaction_id）';

ALTER TABLE payment_exception
    DROP COLUMN payer_openid,
    DROP COLUMN raw,
    ADD COLUMN payer_openid_sealed TEXT,
    ADD COLUMN raw_sealed          TEXT;
COMMENT ON COLUMN payment_exception.payer_openid_sealed IS '付款人 openid（加密存储，关联数据 payment_exception.payer_openid#交易号/订单号）';
COMMENT ON COLUMN payment_exception.raw_sealed IS '回调/账单原始数据（加密存储，关联数据 payment_exception.raw#交易号/订单号）';

ALTER TABLE payment_audit_log
    DROP COLUMN request_data,
    DROP COLUMN response_data,
    ADD COLUMN request_sealed  TEXT,
    ADD COLUMN response_sealed TEXT;
COMMENT ON COLUMN payment_audit_log.request_sealed IS '请求数据快照（加密存储，关联数据 payment_audit_log.request_data#支付记录ID/动作）';
COMMENT ON COLUMN payment_audit_log.response_sealed IS '应答数据快照（加密存储，关联数据 payment_audit_log.response_data#支付记录ID/动作）';

-- =====================================================================================
-- The two views again, without the plaintext columns (001_schema.sql otherwise)
-- =====================================================================================

CREATE VIEW payment_mapping AS
SELECT
    pr.id                                                      AS id,
    pr.order_no                                                AS out_trade_no,
    pr.wechat_transaction_id                                   AS transaction_id,
    (pr.pay_amount * 100)::integer                             AS amount,
    pr.pay_time                                                AS payment_time,
    pr.camp_id,
    pr.id                                                      AS payment_id,
    pr.member_id,
    COALESCE(cm.filled_planet_user_id, pr.planet_user_id_from_attach) AS planet_user_id,
    cm.filled_planet_nickname                                  AS planet_nickname,
    COALESCE(cm.filled_wechat_nickname, pr.payer_wechat_name)  AS wechat_nickname,
    pr.bind_status,
    pr.bind_method,
    pr.bind_deadline,
    cm.match_confidence                                        AS confidence_score,
    pr.attach                                                  AS attach_data,
    pr.pay_status,
    pr.source,
    pr.created_at,
    pr.updated_at
FROM payment_record pr
LEFT JOIN camp_member cm ON cm.id = pr.member_id
WHERE pr.deleted_at IS NULL;

COMMENT ON VIEW payment_mapping IS '支付映射视图（spec 000 的 payment_mapping 表改为 payment_record 上的视图，绑定状态唯一来源为 payment_record）';
COMMENT ON COLUMN payment_mapping.amount IS '支付金额（分）';

-- One row per live member of a live camp. Payment = the member's successful (or
-- refunded) payment if any, else its latest order; refund = the latest live attempt.
CREATE VIEW v_member_full_info AS
SELECT
    cm.id                      AS member_id,
    cm.camp_id,
    tc.name                    AS camp_name,
    tc.start_date,
    tc.end_date,
    tc.total_days,
    tc.required_days,
    tc.deposit,

    cm.filled_planet_nickname,
    cm.filled_planet_user_id,
    cm.filled_wechat_nickname,
    cm.paid,
    cm.paid_at,

    cm.match_status,
    cm.match_confidence,
    cm.match_flags,

    cm.planet_user_id          AS planet_user_row_id,
    pu.planet_user_id,
    pu.planet_nickname,
    pu.wechat_nickname,

    cm.joined_group,
    cm.joined_at,

    cm.checkin_count,
    cm.checkin_rate,
    cm.last_checkin_time,
    cm.eligible_for_refund,

    pr.id                      AS payment_id,
    pr.order_no,
    pr.wechat_transaction_id,
    pr.pay_amount,
    pr.pay_status,
    pr.pay_time,
    pr.bind_status,
    pr.bind_method,
    pr.bind_deadline,

    rr.id                      AS refund_id,
    rr.refund_status,
    rr.audit_status,
    rr.refund_amount,
    rr.audit_time,
    rr.out_refund_no,
    rr.attempt                 AS refund_attempt,

    cm.created_at,
    cm.updated_at
FROM camp_member cm
JOIN training_camp tc ON tc.id = cm.camp_id
LEFT JOIN planet_user pu ON pu.id = cm.planet_user_id
LEFT JOIN LATERAL (
    SELECT p.*
      FROM payment_record p
     WHERE p.member_id = cm.id
       AND p.deleted_at IS NULL
     ORDER BY (p.pay_status IN ('success', 'refunded')) DESC, p.id DESC
     LIMIT 1
) pr ON true
LEFT JOIN LATERAL (
    SELECT r.*
      FROM refund_record r
     WHERE r.member_id = cm.id
       AND r.deleted_at IS NULL
     ORDER BY r.id DESC
     LIMIT 1
) rr ON true
WHERE cm.deleted_at IS NULL
  AND tc.deleted_at IS NULL;

COMMENT ON VIEW v_member_full_info IS '会员完整信息视图（每个未删除会员一行：成功支付优先的订单 + 最新退款尝试）';

-- =====================================================================================
-- Only the database's master key seals: a process that kept the old key after
-- `campctl rekey` (not restarted yet) is refused here, loudly, instead of writing values
-- that no one could open once it is restarted with the new key.  WeChat retries what was
-- refused; members and staff see a temporary error.
-- =====================================================================================

CREATE FUNCTION refuse_foreign_seal()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    want TEXT := (SELECT key_id FROM master_key);
    fields JSONB := to_jsonb(NEW);
    col TEXT;
    v TEXT;
BEGIN
    FOREACH col IN ARRAY TG_ARGV LOOP
        v := fields ->> col;
        IF v IS NOT NULL AND v <> '' AND (want IS NULL OR left(v, 12) <> 'v2:' || want || ':') THEN
            RAISE EXCEPTION '%.% is not sealed under the database''s master key % (it names %): a process still holds an old master key; install the current key file and restart it',
                TG_TABLE_NAME, col, COALESCE(want, '(none)'),
                CASE WHEN v LIKE 'v2:%' THEN substr(v, 4, 8) ELSE 'none' END
                USING ERRCODE = 'check_violation', HINT = 'stale_master_key';
        END IF;
    END LOOP;
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION refuse_foreign_seal() IS '加密列只接受当前主密钥（master_key.key_id）加密的值：轮换密钥后未重启、仍持旧密钥的进程写入会被拒绝';

CREATE TRIGGER trg_camp_member_sealed BEFORE INSERT OR UPDATE OF openid_sealed ON camp_member
    FOR EACH ROW EXECUTE FUNCTION refuse_foreign_seal('openid_sealed');
CREATE TRIGGER trg_payment_record_sealed BEFORE INSERT OR UPDATE OF openid_sealed, callback_sealed
    ON payment_record
    FOR EACH ROW EXECUTE FUNCTION refuse_foreign_seal('openid_sealed', 'callback_sealed');
CREATE TRIGGER trg_payment_transaction_sealed BEFORE INSERT OR UPDATE OF openid_sealed, raw_sealed
    ON payment_transaction
    FOR EACH ROW EXECUTE FUNCTION refuse_foreign_seal('openid_sealed', 'raw_sealed');
CREATE TRIGGER trg_payment_exception_sealed BEFORE INSERT OR UPDATE OF payer_openid_sealed, raw_sealed
    ON payment_exception
    FOR EACH ROW EXECUTE FUNCTION refuse_foreign_seal('payer_openid_sealed', 'raw_sealed');
CREATE TRIGGER trg_payment_audit_log_sealed BEFORE INSERT OR UPDATE OF request_sealed, response_sealed
    ON payment_audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_foreign_seal('request_sealed', 'response_sealed');
CREATE TRIGGER trg_system_config_sealed BEFORE INSERT OR UPDATE OF config_value, is_encrypted
    ON system_config
    FOR EACH ROW WHEN (NEW.is_encrypted) EXECUTE FUNCTION refuse_foreign_seal('config_value');
CREATE TRIGGER trg_training_camp_sealed BEFORE INSERT OR UPDATE OF robot_webhook_key ON training_camp
    FOR EACH ROW EXECUTE FUNCTION refuse_foreign_seal('robot_webhook_key');

-- =====================================================================================
-- Sealing a value again under another key changes no row's meaning: the data step and
-- campctl rekey set camp.resealing for their transaction, and then updated_at stays (it
-- is shown as "更新于" and the books read it) and an archived camp, otherwise read-only,
-- takes its robot key sealed again like every other value.
-- =====================================================================================

CREATE OR REPLACE FUNCTION update_updated_at_column()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF COALESCE(current_setting('camp.resealing', true), '') = 'on' THEN
        NEW.updated_at = OLD.updated_at;
    ELSE
        NEW.updated_at = CURRENT_TIMESTAMP;
    END IF;
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION update_updated_at_column() IS '通用触发器函数：UPDATE 时把 updated_at 设为当前时间（主密钥轮换重新加密时不变）';


CREATE OR REPLACE FUNCTION refuse_archived_camp_change()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF OLD.archived_at IS NOT NULL AND NEW.archived_at IS NOT NULL
       AND (NEW.name, NEW.poster_sha256, NEW.description, NEW.deposit, NEW.start_date,
            NEW.end_date, NEW.total_days, NEW.required_days, NEW.group_qrcode_sha256,
            NEW.planet_project_id, NEW.wechat_pay_code_id, NEW.status, NEW.enroll_url,
            NEW.capacity)
           IS DISTINCT FROM
           (OLD.name, OLD.poster_sha256, OLD.description, OLD.deposit, OLD.start_date,
            OLD.end_date, OLD.total_days, OLD.required_days, OLD.group_qrcode_sha256,
            OLD.planet_project_id, OLD.wechat_pay_code_id, OLD.status, OLD.enroll_url,
            OLD.capacity)
       OR (OLD.archived_at IS NOT NULL AND NEW.archived_at IS NOT NULL
           AND NEW.robot_webhook_key IS DISTINCT FROM OLD.robot_webhook_key
           AND COALESCE(current_setting('camp.resealing', true), '') <> 'on') THEN
        RAISE EXCEPTION 'training camp % is archived (read-only)', OLD.id
            USING ERRCODE = 'check_violation', HINT = 'camp_archived';
    END IF;
    RETURN NEW;
END;
$$;
