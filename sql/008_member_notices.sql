-- 008_member_notices.sql (issue #16): member notices through the official account, and
-- group-robot messages paced per robot key.
--
-- Member notices are notification_message rows with recipient_type 'member', channel 'mp'
-- (official-account template message) and dedupe_key = the notice type, so each notice goes
-- at most once per member and type (uq_nm_dedupe of 002).  A notice that could not reach the
-- member (no openid, not following, an error) ends 'failed' and is shown on the member's own
-- pages and to staff.

COMMENT ON COLUMN notification_message.channel IS '发送渠道: wechat-企微应用消息, robot-群机器人, mp-公众号模板消息（会员）, sms-短信, internal-站内';
COMMENT ON COLUMN notification_message.recipient_type IS '接收者类型: member-会员（camp_member）, admin-员工（system_user：管理员、教练）, robot-训练营群机器人（training_camp）';

-- a notice that is no longer due (the member left the camp or was refunded before it went) is
-- 'cancelled': not sent, and not a failure to reach anyone
ALTER TABLE notification_message DROP CONSTRAINT chk_nm_send_status;
ALTER TABLE notification_message ADD CONSTRAINT chk_nm_send_status
    CHECK (send_status IN ('pending', 'sent', 'failed', 'cancelled'));
COMMENT ON COLUMN notification_message.send_status IS '发送状态: pending-待发送, sent-已发送, failed-失败（不再重试；会员通知 = 未触达）, cancelled-已取消（会员已退营或已退款）';

-- the member's notices: detail page, ticket and progress pages
CREATE INDEX idx_nm_member ON notification_message (member_id, id) WHERE member_id IS NOT NULL;

-- One row per message actually posted to a group robot.  WeCom allows 20 messages a minute
-- per robot key; two camps may share one robot, so pacing counts by the key (its SHA-256:
-- the key itself is a secret), not by the camp.
CREATE TABLE robot_send_log (
    id          BIGSERIAL   PRIMARY KEY,
    key_sha256  CHAR(64)    NOT NULL,
    camp_id     BIGINT      REFERENCES training_camp (id),
    lines       INTEGER     NOT NULL,
    bytes       INTEGER     NOT NULL,
    sent_at     timestamptz NOT NULL,

    CONSTRAINT chk_robotlog_sha256 CHECK (key_sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT chk_robotlog_size   CHECK (lines > 0 AND bytes > 0 AND bytes <= 4096)
);

CREATE INDEX idx_robotlog_key_time ON robot_send_log (key_sha256, sent_at);
CREATE INDEX idx_robotlog_time ON robot_send_log (sent_at);

COMMENT ON TABLE  robot_send_log IS '群机器人发送记录（每条实际发出的消息一行；按机器人 Key 限速 20 条/分钟）';
COMMENT ON COLUMN robot_send_log.key_sha256 IS '机器人 Webhook Key 的 SHA-256（Key 本身是密钥，不存明文）';
COMMENT ON COLUMN robot_send_log.camp_id IS '训练营ID';
COMMENT ON COLUMN robot_send_log.lines IS '本条消息合并的通知条数';
COMMENT ON COLUMN robot_send_log.bytes IS '消息字节数（≤ 4096）';
COMMENT ON COLUMN robot_send_log.sent_at IS '发送时间';

-- WeChat Pay H5 (issue #16): what the order's creation answered — JSAPI's prepay_id, Native's
-- code_url, and now H5's h5_url (https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=…
-- &package=…), longer than wechat_order_no's 100 characters (a column a view depends on, so not
-- widened: the answer gets a column of its own)
ALTER TABLE payment_record ADD COLUMN wechat_prepay TEXT;
UPDATE payment_record SET wechat_prepay = wechat_order_no WHERE wechat_order_no IS NOT NULL;
COMMENT ON COLUMN payment_record.wechat_prepay IS '微信下单结果：JSAPI 的 prepay_id、Native 的 code_url 或 H5 的 h5_url';
