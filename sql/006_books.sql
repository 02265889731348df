-- 006_books.sql: the nightly books (issue #14) — each run's result, the WeChat Pay trade
-- bill it compared against, and every difference it found.
--
-- A run proves the money invariants (named checks over payments, refunds, exceptions and
-- the camps' counters) and matches the trade bill of one day, line by line, to our
-- records.  Runs are never updated after they finish and never deleted by retention:
-- they are the audit trail of "the books held on that day".

-- =====================================================================================
-- books_run — one run of the books for one bill date
-- =====================================================================================

CREATE TABLE books_run (
    id               BIGSERIAL    PRIMARY KEY,
    bill_date        DATE         NOT NULL,
    trigger          VARCHAR(10)  NOT NULL,
    started_at       timestamptz  NOT NULL,
    finished_at      timestamptz,
    bill_status      VARCHAR(20)  NOT NULL,
    bill_error       TEXT,
    bill_hash        VARCHAR(64),
    bill_lines       INTEGER      NOT NULL DEFAULT 0,
    bill_paid_fen    BIGINT       NOT NULL DEFAULT 0,
    bill_refund_fen  BIGINT       NOT NULL DEFAULT 0,
    invariant_diffs  INTEGER      NOT NULL DEFAULT 0,
    bill_diffs       INTEGER      NOT NULL DEFAULT 0,
    ok               BOOLEAN      NOT NULL DEFAULT false,

    CONSTRAINT chk_br_trigger CHECK (trigger IN ('job', 'cli')),
    CONSTRAINT chk_br_bill_status CHECK (bill_status IN ('compared', 'empty', 'creating', 'failed',
                                                         'not_configured')),
    CONSTRAINT chk_br_counts CHECK (bill_lines >= 0 AND invariant_diffs >= 0 AND bill_diffs >= 0)
);

CREATE INDEX idx_br_date ON books_run (bill_date DESC, id DESC);

COMMENT ON TABLE  books_run IS '对账运行记录（每次核对一天：资金不变量 + 当日微信支付交易账单）';
COMMENT ON COLUMN books_run.bill_date IS '账单日期（Asia/Shanghai 日历日）';
COMMENT ON COLUMN books_run.trigger IS '触发方式: job-定时任务, cli-命令行 campctl books';
COMMENT ON COLUMN books_run.started_at IS '开始时间';
COMMENT ON COLUMN books_run.finished_at IS '结束时间';
COMMENT ON COLUMN books_run.bill_status IS '微信账单: compared-已下载并核对, empty-当日无交易（NO_STATEMENT_EXIST）, creating-账单生成中（次日10点后）, failed-下载或校验失败, not_configured-未配置微信支付';
COMMENT ON COLUMN books_run.bill_error IS '账单下载/校验失败的原因';
COMMENT ON COLUMN books_run.bill_hash IS '账单 SHA1（微信给出并已校验）';
COMMENT ON COLUMN books_run.bill_lines IS '账单明细行数';
COMMENT ON COLUMN books_run.bill_paid_fen IS '账单支付行订单金额合计（分）';
COMMENT ON COLUMN books_run.bill_refund_fen IS '账单退款行申请退款金额合计（分）';
COMMENT ON COLUMN books_run.invariant_diffs IS '资金不变量差异数';
COMMENT ON COLUMN books_run.bill_diffs IS '与微信账单的差异数';
COMMENT ON COLUMN books_run.ok IS '账目一致：没有差异，且账单已核对（或当日无账单、未配置微信支付）';

-- =====================================================================================
-- books_bill_line — the detail lines of the trade bill a run compared against
-- =====================================================================================

CREATE TABLE books_bill_line (
    id              BIGSERIAL    PRIMARY KEY,
    run_id          BIGINT       NOT NULL REFERENCES books_run (id),
    line_no         INTEGER      NOT NULL,
    kind            VARCHAR(10)  NOT NULL,
    trade_time      timestamptz,
    transaction_id  VARCHAR(64),
    out_trade_no    VARCHAR(64),
    refund_id       VARCHAR(64),
    out_refund_no   VARCHAR(64),
    trade_type      VARCHAR(16),
    trade_state     VARCHAR(32)  NOT NULL,
    refund_status   VARCHAR(32),
    amount_fen      BIGINT       NOT NULL,

    CONSTRAINT chk_bbl_kind CHECK (kind IN ('payment', 'refund', 'other')),
    CONSTRAINT chk_bbl_amount CHECK (amount_fen >= 0)
);

CREATE INDEX idx_bbl_run ON books_bill_line (run_id, kind);
CREATE INDEX idx_bbl_out_refund_no ON books_bill_line (out_refund_no) WHERE out_refund_no IS NOT NULL;

COMMENT ON TABLE  books_bill_line IS '对账所用的微信支付交易账单明细（每次运行一份）';
COMMENT ON COLUMN books_bill_line.kind IS '行类型: payment-交易状态 SUCCESS, refund-交易状态 REFUND, other-其他状态';
COMMENT ON COLUMN books_bill_line.trade_time IS '交易时间（退款行为退款申请时间）';
COMMENT ON COLUMN books_bill_line.transaction_id IS '微信订单号';
COMMENT ON COLUMN books_bill_line.out_trade_no IS '商户订单号';
COMMENT ON COLUMN books_bill_line.refund_id IS '微信退款单号（退款行）';
COMMENT ON COLUMN books_bill_line.out_refund_no IS '商户退款单号（退款行）';
COMMENT ON COLUMN books_bill_line.trade_state IS '交易状态: SUCCESS, REFUND, …';
COMMENT ON COLUMN books_bill_line.refund_status IS '退款状态: SUCCESS, PROCESSING, REFUNDCLOSE, CHANGE …（退款行）';
COMMENT ON COLUMN books_bill_line.amount_fen IS '金额（分）：支付行为订单金额，退款行为申请退款金额';

-- =====================================================================================
-- books_difference — one difference a run found, named by its check
-- =====================================================================================

CREATE TABLE books_difference (
    id           BIGSERIAL    PRIMARY KEY,
    run_id       BIGINT       NOT NULL REFERENCES books_run (id),
    check_name   VARCHAR(32)  NOT NULL,
    ref_kind     VARCHAR(10)  NOT NULL,
    ref_no       VARCHAR(100) NOT NULL,
    camp_id      BIGINT,
    left_value   BIGINT,
    right_value  BIGINT,
    unit         VARCHAR(8)   NOT NULL DEFAULT 'fen',
    left_state   VARCHAR(32),
    right_state  VARCHAR(32),
    detail       TEXT,

    CONSTRAINT chk_bd_check CHECK (check_name IN ('payment_owner', 'member_count', 'refund_total',
                                                  'live_attempts', 'refunded_status', 'camp_balance',
                                                  'bill_missing_ours', 'bill_missing_theirs',
                                                  'bill_amount', 'bill_state')),
    CONSTRAINT chk_bd_ref_kind CHECK (ref_kind IN ('order', 'refund', 'camp')),
    CONSTRAINT chk_bd_unit CHECK (unit IN ('fen', 'count'))
);

CREATE INDEX idx_bd_run ON books_difference (run_id, id);

COMMENT ON TABLE  books_difference IS '对账差异（每条差异一行，按检查项命名）';
COMMENT ON COLUMN books_difference.check_name IS '检查项: payment_owner, member_count, refund_total, live_attempts, refunded_status, camp_balance, bill_missing_ours, bill_missing_theirs, bill_amount, bill_state';
COMMENT ON COLUMN books_difference.ref_kind IS '对象类型: order-商户订单号, refund-商户退款单号, camp-训练营ID';
COMMENT ON COLUMN books_difference.ref_no IS '商户订单号 / 商户退款单号 / 训练营ID';
COMMENT ON COLUMN books_difference.left_value IS '左值：本系统记录的金额（分）或计数';
COMMENT ON COLUMN books_difference.right_value IS '右值：应有的金额或计数（按明细推算，或微信账单所记）';
COMMENT ON COLUMN books_difference.unit IS '单位: fen-分, count-个';
COMMENT ON COLUMN books_difference.left_state IS '本系统状态';
COMMENT ON COLUMN books_difference.right_state IS '应有状态 / 微信账单状态';
COMMENT ON COLUMN books_difference.detail IS '说明';

-- =====================================================================================
-- books_payment — one row per payment with what its refund records say about it
-- =====================================================================================

-- The money of one payment as the books see it:
--   paid_fen             what WeChat (or WeCom) paid us on this order: pay_amount once the
--                        payment succeeded (success, or refunded later), else 0;
--   settled_refund_fen   what went back: refund attempts that succeeded or were refunded by
--                        hand (refunded_offline — also every refund of a WeCom collection-code
--                        payment), plus a payment exception refunded in full when that
--                        exception holds this very transaction (a second payment for an
--                        already paid planet ID);
--   recorded_refund_fen  payment_record.refunded_amount, the running total the app keeps;
--   live_attempts        refund attempts approved, processing or succeeded, plus exception
--                        refunds of this transaction under way or done;
--   member_paid          the enrollment it belongs to is paid and live.
CREATE VIEW books_payment AS
SELECT
    p.id,
    p.order_no,
    p.camp_id,
    p.member_id,
    p.source,
    p.pay_status,
    p.pay_time,
    p.wechat_transaction_id,
    CASE WHEN p.pay_status IN ('success', 'refunded')
         THEN round(p.pay_amount * 100)::bigint ELSE 0 END                AS paid_fen,
    round(p.refunded_amount * 100)::bigint                                AS recorded_refund_fen,
    COALESCE(r.settled_fen, 0)
      + CASE WHEN p.pay_status IN ('success', 'refunded')
             THEN COALESCE(e.settled_fen, 0) ELSE 0 END                   AS settled_refund_fen,
    COALESCE(r.live, 0) + COALESCE(e.live, 0)                             AS live_attempts,
    COALESCE(m.paid AND m.deleted_at IS NULL, false)                      AS member_paid
FROM payment_record p
LEFT JOIN camp_member m ON m.id = p.member_id
LEFT JOIN LATERAL (
    SELECT sum(round(x.refund_amount * 100)) FILTER (WHERE x.refund_status IN ('success', 'refunded_offline'))::bigint
                                                                          AS settled_fen,
           count(*) FILTER (WHERE x.refund_status IN ('approved', 'processing', 'success')) AS live
      FROM refund_record x
     WHERE x.payment_id = p.id AND x.deleted_at IS NULL
) r ON true
LEFT JOIN LATERAL (
    SELECT sum(x.amount_fen) FILTER (WHERE x.status = 'refunded')::bigint AS settled_fen,
           count(*) FILTER (WHERE x.status IN ('refunding', 'refunded'))  AS live
      FROM payment_exception x
     WHERE x.transaction_id = p.wechat_transaction_id
) e ON true
WHERE p.deleted_at IS NULL;

COMMENT ON VIEW books_payment IS '对账视图：每笔支付的实收、已结退款（退款记录 + 持有同一交易的支付异常退款）、有效退款尝试数';

-- A timestamp from provider JSON (create_time of a refund answer), NULL when it is not
-- one: a malformed value must not stop the books.
CREATE FUNCTION books_ts(t TEXT)
RETURNS timestamptz
LANGUAGE plpgsql
STABLE
AS $$
BEGIN
    RETURN t::timestamptz;
EXCEPTION WHEN others THEN
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION books_ts(TEXT) IS '把微信应答中的时间文本转成 timestamptz；格式不对时返回 NULL';
