-- 009_operations.sql: what operations need from the schema (issue #17): financial rows the
-- database itself refuses to delete, archived camps, backup runs the watchdog can see, the
-- database volume's free space, the watchdog's findings and one claim per scheduled slot.

-- =====================================================================================
-- Financial rows are never deleted (PRD §5.2, ARCHITECTURE §11: kept for 7 years).
-- Soft delete (deleted_at) stays possible where a table has it; DELETE and TRUNCATE are
-- refused for everyone, the retention job and the table owner included.
-- =====================================================================================

CREATE FUNCTION refuse_financial_delete()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: financial records are never deleted', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege', HINT = 'financial_row_kept';
END;
$$;

COMMENT ON FUNCTION refuse_financial_delete() IS '财务记录禁止删除：支付、交易、退款及其状态日志、支付异常、支付审计日志只可软删除（deleted_at），不可 DELETE/TRUNCATE';

-- One statement-level trigger per table and operation: it fires even when the DELETE
-- matches no row, so a query that would delete financial rows fails loudly every time.
CREATE TRIGGER trg_payment_record_no_delete BEFORE DELETE ON payment_record
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_payment_record_no_truncate BEFORE TRUNCATE ON payment_record
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_payment_transaction_no_delete BEFORE DELETE ON payment_transaction
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_payment_transaction_no_truncate BEFORE TRUNCATE ON payment_transaction
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_order_status_log_no_delete BEFORE DELETE ON order_status_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_order_status_log_no_truncate BEFORE TRUNCATE ON order_status_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_payment_bind_log_no_delete BEFORE DELETE ON payment_bind_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_payment_bind_log_no_truncate BEFORE TRUNCATE ON payment_bind_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_refund_record_no_delete BEFORE DELETE ON refund_record
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_refund_record_no_truncate BEFORE TRUNCATE ON refund_record
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_refund_status_log_no_delete BEFORE DELETE ON refund_status_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_refund_status_log_no_truncate BEFORE TRUNCATE ON refund_status_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_payment_exception_no_delete BEFORE DELETE ON payment_exception
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_payment_exception_no_truncate BEFORE TRUNCATE ON payment_exception
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_payment_audit_log_no_delete BEFORE DELETE ON payment_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();
CREATE TRIGGER trg_payment_audit_log_no_truncate BEFORE TRUNCATE ON payment_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_financial_delete();

-- =====================================================================================
-- Archived camps: finished more than 3 months ago and settled (retention job). Hidden from
-- the default lists, read-only, still counted in every report and statistic.
-- =====================================================================================

ALTER TABLE training_camp ADD COLUMN archived_at timestamptz;

COMMENT ON COLUMN training_camp.archived_at IS '归档时间（结束超过 3 个月且退款、异常均已了结的训练营由 retention 任务归档：默认列表不显示、只读、报表照常统计）';

CREATE INDEX idx_camp_archived ON training_camp (archived_at) WHERE archived_at IS NOT NULL;

-- Read-only means read-only for every writer: what describes the camp is frozen. The
-- money counters (a late refund callback still lands) and the archive mark itself may move.
CREATE FUNCTION refuse_archived_camp_change()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF OLD.archived_at IS NOT NULL AND NEW.archived_at IS NOT NULL
       AND (NEW.name, NEW.poster_sha256, NEW.description, NEW.deposit, NEW.start_date,
            NEW.end_date, NEW.total_days, NEW.required_days, NEW.group_qrcode_sha256,
            NEW.planet_project_id, NEW.wechat_pay_code_id, NEW.status, NEW.enroll_url,
            NEW.capacity, NEW.robot_webhook_key)
           IS DISTINCT FROM
           (OLD.name, OLD.poster_sha256, OLD.description, OLD.deposit, OLD.start_date,
            OLD.end_date, OLD.total_days, OLD.required_days, OLD.group_qrcode_sha256,
            OLD.planet_project_id, OLD.wechat_pay_code_id, OLD.status, OLD.enroll_url,
            OLD.capacity, OLD.robot_webhook_key) THEN
        RAISE EXCEPTION 'training camp % is archived (read-only)', OLD.id
            USING ERRCODE = 'check_violation', HINT = 'camp_archived';
    END IF;
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION refuse_archived_camp_change() IS '已归档训练营只读：除金额计数与归档标记外不可修改';

CREATE TRIGGER trg_training_camp_archived BEFORE UPDATE ON training_camp
    FOR EACH ROW EXECUTE FUNCTION refuse_archived_camp_change();

-- =====================================================================================
-- backup_run — every run of camp-backup, recorded by the script through campctl
-- =====================================================================================

CREATE TABLE backup_run (
    id            BIGSERIAL    PRIMARY KEY,
    finished_at   timestamptz  NOT NULL,
    outcome       VARCHAR(20)  NOT NULL,
    file_name     VARCHAR(255),
    bytes         BIGINT,
    sha256        CHAR(64),
    offsite       VARCHAR(20)  NOT NULL DEFAULT 'off',
    error         TEXT,
    host          VARCHAR(100),
    created_at    timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT chk_br_outcome CHECK (outcome IN ('verified', 'failed')),
    CONSTRAINT chk_br_offsite CHECK (offsite IN ('off', 'copied', 'failed')),
    CONSTRAINT chk_br_sha256  CHECK (sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT chk_br_bytes   CHECK (bytes IS NULL OR bytes >= 0),
    CONSTRAINT chk_br_verified CHECK (outcome <> 'verified' OR (file_name IS NOT NULL AND sha256 IS NOT NULL))
);

CREATE INDEX idx_br_time ON backup_run (finished_at DESC);

COMMENT ON TABLE  backup_run IS '数据库备份记录（camp-backup 每次运行写一行，watchdog 据此告警）';
COMMENT ON COLUMN backup_run.finished_at IS '结束时间';
COMMENT ON COLUMN backup_run.outcome IS '结果: verified-已写入并校验通过, failed-失败（未生成或校验未通过）';
COMMENT ON COLUMN backup_run.file_name IS '备份文件名（camp-YYYYMMDDTHHMMSSZ.sql.gz）';
COMMENT ON COLUMN backup_run.bytes IS '文件大小（字节）';
COMMENT ON COLUMN backup_run.sha256 IS '文件 SHA-256（同目录 .sha256 文件中的值）';
COMMENT ON COLUMN backup_run.offsite IS '异地复制: off-未配置, copied-已复制, failed-复制失败';
COMMENT ON COLUMN backup_run.error IS '失败原因';
COMMENT ON COLUMN backup_run.host IS '执行备份的主机';

-- =====================================================================================
-- db_volume — free space of the database volume, measured where the data directory is
-- =====================================================================================

CREATE TABLE db_volume (
    host         VARCHAR(100) PRIMARY KEY,
    path         TEXT         NOT NULL,
    free_bytes   BIGINT       NOT NULL,
    total_bytes  BIGINT       NOT NULL,
    measured_at  timestamptz  NOT NULL,

    CONSTRAINT chk_dv_bytes CHECK (free_bytes >= 0 AND total_bytes > 0 AND free_bytes <= total_bytes)
);

COMMENT ON TABLE  db_volume IS '数据库数据目录所在卷的剩余空间（由能看到数据目录的 camp-worker 测量，每主机一行）';
COMMENT ON COLUMN db_volume.host IS '测量的主机';
COMMENT ON COLUMN db_volume.path IS '测量的路径（PostgreSQL 数据目录或 CAMP_DB_DATA_DIR）';
COMMENT ON COLUMN db_volume.free_bytes IS '可用字节数（非特权用户可用）';
COMMENT ON COLUMN db_volume.total_bytes IS '总字节数';
COMMENT ON COLUMN db_volume.measured_at IS '测量时间';

-- =====================================================================================
-- watchdog_status — what the watchdog found on its last run, one row per figure
-- =====================================================================================

CREATE TABLE watchdog_status (
    condition   VARCHAR(40)  NOT NULL,
    subject     VARCHAR(100) NOT NULL DEFAULT '',
    ok          BOOLEAN      NOT NULL,
    value       BIGINT,
    message     TEXT         NOT NULL,
    checked_at  timestamptz  NOT NULL,

    PRIMARY KEY (condition, subject)
);

COMMENT ON TABLE  watchdog_status IS '监控（watchdog 任务）最近一次检查的结果：每个条件/对象一行，工作台与 /metrics 读取';
COMMENT ON COLUMN watchdog_status.condition IS '条件: job_stale, refund_stuck, order_unclosed, outbox_failing, backup_stale, disk_low';
COMMENT ON COLUMN watchdog_status.subject IS '对象（如任务名；无则为空）';
COMMENT ON COLUMN watchdog_status.ok IS '是否正常';
COMMENT ON COLUMN watchdog_status.value IS '数值（条数、秒数或剩余空间千分比，见 message）';
COMMENT ON COLUMN watchdog_status.message IS '说明（中文）';
COMMENT ON COLUMN watchdog_status.checked_at IS '检查时间';

-- =====================================================================================
-- job_slot — one claim per scheduled instant: several camp-worker processes (one per
-- host) run each scheduled job once per slot, whoever claims it first.
-- =====================================================================================

CREATE TABLE job_slot (
    job         VARCHAR(50)  NOT NULL,
    slot_at     timestamptz  NOT NULL,
    host        VARCHAR(100),
    pid         INTEGER,
    claimed_at  timestamptz  NOT NULL,

    PRIMARY KEY (job, slot_at)
);

CREATE INDEX idx_js_time ON job_slot (slot_at);

COMMENT ON TABLE  job_slot IS '定时任务时间槽的认领（多个 camp-worker 时每个槽只运行一次）';
COMMENT ON COLUMN job_slot.job IS '任务名';
COMMENT ON COLUMN job_slot.slot_at IS '计划运行时刻（Asia/Shanghai 排程）';
COMMENT ON COLUMN job_slot.host IS '认领的主机';
COMMENT ON COLUMN job_slot.pid IS '认领的进程';
COMMENT ON COLUMN job_slot.claimed_at IS '认领时间';

CREATE INDEX idx_nm_sent_time ON notification_message (created_at) WHERE send_status = 'sent';
CREATE INDEX idx_jr_time ON job_run (started_at);
