-- 007_console.sql: the operator's console (issue #15) — refund proposals made or reopened by a
-- person.

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
