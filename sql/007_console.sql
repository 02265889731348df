-- 007_console.sql: the operator's console (issue #15) — proposals made or reopened by a
-- person, and the schedule of camp-worker's jobs as the 工作台 needs it.

-- A refund proposal is automatic (refund-list, proposed_by NULL) or made by a person:
-- 手动提议退款 for a near miss, or 重新提议 of a rejected one.  The refund-list job never
-- withdraws a proposal a person made; the lists and the operation log mark it as manual.
ALTER TABLE refund_record ADD COLUMN proposed_by BIGINT REFERENCES system_user (id);
ALTER TABLE refund_record ADD COLUMN proposal_reason TEXT;
ALTER TABLE refund_record ADD CONSTRAINT chk_rr_manual_reason
    CHECK (proposed_by IS NULL OR (proposal_reason IS NOT NULL AND char_length(proposal_reason) BETWEEN 1 AND 200));

-- One proposal awaiting its decision per payment: the refund-list job, a manual proposal and
-- a reopened refund can never stack two of them (the live-attempt index covers the rest).
CREATE UNIQUE INDEX uq_rr_pending_proposal ON refund_record (payment_id)
    WHERE refund_status = 'pending' AND deleted_at IS NULL;

COMMENT ON COLUMN refund_record.proposed_by IS '人工提议人（手动提议退款或重新提议的 system_user.id；自动生成的提议为空）';
COMMENT ON COLUMN refund_record.proposal_reason IS '人工提议/重新提议的原因（必填，≤200 字）';

-- What camp-worker runs on its own, and how often: written by the daemon when it starts, so
-- the 工作台 can name the jobs that have not succeeded within twice their period.
CREATE TABLE job_schedule (
    job         VARCHAR(50)  PRIMARY KEY,
    label       VARCHAR(100) NOT NULL,
    period_s    INTEGER      NOT NULL,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT chk_js_period CHECK (period_s > 0)
);

COMMENT ON TABLE  job_schedule IS '定时任务及其周期（camp-worker 启动时写入；工作台据此发现超过两个周期未成功的任务）';
COMMENT ON COLUMN job_schedule.job IS '任务名（job_run.job）';
COMMENT ON COLUMN job_schedule.label IS '任务中文名';
COMMENT ON COLUMN job_schedule.period_s IS '运行周期（秒）：每日任务 86400，每 N 分钟任务 N×60';
COMMENT ON COLUMN job_schedule.created_at IS '首次登记时间（从未成功的任务从此刻起计）';
COMMENT ON COLUMN job_schedule.updated_at IS '最近一次由 camp-worker 登记的时间';
