-- camp-deposit — 001_schema.sql
--
-- Initial schema. Source: spec 000 (数据库设计文档) translated to PostgreSQL 15
-- (COMMENT ON instead of inline COMMENT, timestamptz everywhere), with the changes of
-- ARCHITECTURE.md §11 and the payment patterns of spec 003.
--
-- Run by `campctl migrate` inside ONE transaction: no BEGIN/COMMIT here, nothing that
-- cannot run in a transaction (no CREATE INDEX CONCURRENTLY, no VACUUM).
-- schema_migrations is owned by the migration tool and is not created here.
--
-- Conventions:
--   * money is DECIMAL(10,2) yuan (the app converts to int64 fen at the query);
--     WeChat-side amounts copied verbatim from the provider are INTEGER fen (*_fen,
--     amount_total, payer_total) and say so in their comment;
--   * every time is timestamptz; "now" normally comes from the app as a parameter,
--     column defaults (now()) are only a fallback;
--   * soft delete = deleted_at IS NOT NULL; financial rows are never hard-deleted.

-- =====================================================================================
-- Functions used by triggers
-- =====================================================================================

CREATE FUNCTION update_updated_at_column()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at = CURRENT_TIMESTAMP;
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION update_updated_at_column() IS '通用触发器函数：UPDATE 时把 updated_at 设为当前时间';

-- =====================================================================================
-- media — uploaded images (posters, group QR codes), content-addressed
-- =====================================================================================

CREATE TABLE media (
    sha256      CHAR(64)     PRIMARY KEY,
    mime        VARCHAR(32)  NOT NULL,
    bytes       BYTEA        NOT NULL,
    size        INTEGER      NOT NULL,
    width       INTEGER,
    height      INTEGER,
    created_at  timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT chk_media_sha256 CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT chk_media_mime   CHECK (mime IN ('image/jpeg', 'image/png')),
    CONSTRAINT chk_media_size   CHECK (size > 0 AND size <= 2097152),
    CONSTRAINT chk_media_size_matches CHECK (size = octet_length(bytes)),
    CONSTRAINT chk_media_dims   CHECK ((width IS NULL OR width > 0) AND (height IS NULL OR height > 0))
);

COMMENT ON TABLE  media IS '上传的图片（海报、群二维码），按内容 SHA-256 寻址，经 /media/{sha256} 提供';
COMMENT ON COLUMN media.sha256 IS '图片内容的 SHA-256（64 位小写十六进制），主键';
COMMENT ON COLUMN media.mime IS 'MIME 类型（按魔数判断）: image/jpeg, image/png';
COMMENT ON COLUMN media.bytes IS '图片内容';
COMMENT ON COLUMN media.size IS '字节数，= octet_length(bytes)，最大 2 MB (2097152)';
COMMENT ON COLUMN media.width IS '宽度（像素，可空）';
COMMENT ON COLUMN media.height IS '高度（像素，可空）';
COMMENT ON COLUMN media.created_at IS '上传时间';

-- =====================================================================================
-- system_user — admins, managers, coaches, volunteers (spec 000 §3.8)
-- =====================================================================================

CREATE TABLE system_user (
    id                  BIGSERIAL    PRIMARY KEY,
    username            VARCHAR(50)  NOT NULL,
    password            VARCHAR(255) NOT NULL,
    real_name           VARCHAR(50),
    role                VARCHAR(20)  NOT NULL,
    status              VARCHAR(20)  NOT NULL DEFAULT 'active',
    wecom_userid        VARCHAR(64),
    session_epoch       INTEGER      NOT NULL DEFAULT 1,
    password_changed_at timestamptz,
    last_login_ip       VARCHAR(64),
    last_login_time     timestamptz,
    created_at          timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),
    deleted_at          timestamptz,

    CONSTRAINT chk_su_username CHECK (char_length(username) > 0),
    CONSTRAINT chk_su_role     CHECK (role IN ('admin', 'manager', 'coach', 'volunteer')),
    CONSTRAINT chk_su_status   CHECK (status IN ('active', 'disabled')),
    CONSTRAINT chk_su_epoch    CHECK (session_epoch >= 1)
);

-- username is unique (case-insensitively) among live users only: a soft-deleted
-- user's name can be reused.
CREATE UNIQUE INDEX uq_su_username_live ON system_user (lower(username)) WHERE deleted_at IS NULL;
CREATE INDEX idx_su_role ON system_user (role) WHERE deleted_at IS NULL;
CREATE INDEX idx_su_wecom_userid ON system_user (wecom_userid) WHERE wecom_userid IS NOT NULL AND deleted_at IS NULL;

COMMENT ON TABLE  system_user IS '系统用户表（管理员、教练、志愿者账号）';
COMMENT ON COLUMN system_user.username IS '用户名（登录账号）；在未删除用户中不区分大小写唯一';
COMMENT ON COLUMN system_user.password IS '密码哈希（crypt(3)：yescrypt $y$ 或 bcrypt），从不存明文';
COMMENT ON COLUMN system_user.real_name IS '真实姓名';
COMMENT ON COLUMN system_user.role IS '角色: admin-超级管理员, manager-管理员, coach-教练, volunteer-志愿者';
COMMENT ON COLUMN system_user.status IS '状态: active-启用, disabled-禁用';
COMMENT ON COLUMN system_user.wecom_userid IS '企业微信 userid（接收应用消息、对外收款收款人）';
COMMENT ON COLUMN system_user.session_epoch IS '会话纪元：JWT 中携带，登出/改密/禁用/删除时 +1 使旧令牌失效';
COMMENT ON COLUMN system_user.password_changed_at IS '最后修改密码时间';
COMMENT ON COLUMN system_user.last_login_ip IS '最后登录IP';
COMMENT ON COLUMN system_user.last_login_time IS '最后登录时间';
COMMENT ON COLUMN system_user.deleted_at IS '软删除时间';

-- =====================================================================================
-- training_camp (spec 000 §3.1)
-- =====================================================================================

CREATE TABLE training_camp (
    id                   BIGSERIAL     PRIMARY KEY,

    name                 VARCHAR(100)  NOT NULL,
    poster_sha256        CHAR(64)      REFERENCES media (sha256),
    description          TEXT,

    deposit              DECIMAL(10,2) NOT NULL,

    start_date           DATE          NOT NULL,
    end_date             DATE          NOT NULL,

    total_days           INTEGER       NOT NULL,
    required_days        INTEGER       NOT NULL,

    group_qrcode_sha256  CHAR(64)      REFERENCES media (sha256),

    planet_project_id    VARCHAR(50),
    wechat_pay_code_id   VARCHAR(50),

    status               VARCHAR(20)   NOT NULL DEFAULT 'not_started',

    enroll_url           VARCHAR(500),
    capacity             INTEGER,
    robot_webhook_key    TEXT,

    member_count         INTEGER       NOT NULL DEFAULT 0,
    paid_amount          DECIMAL(10,2) NOT NULL DEFAULT 0,
    refunded_amount      DECIMAL(10,2) NOT NULL DEFAULT 0,

    created_by           BIGINT        REFERENCES system_user (id),
    created_at           timestamptz   NOT NULL DEFAULT now(),
    updated_at           timestamptz   NOT NULL DEFAULT now(),
    deleted_at           timestamptz,

    CONSTRAINT chk_camp_name        CHECK (char_length(name) BETWEEN 1 AND 50),
    CONSTRAINT chk_camp_description CHECK (description IS NULL OR char_length(description) <= 500),
    CONSTRAINT chk_camp_deposit     CHECK (deposit > 0),
    CONSTRAINT chk_camp_dates       CHECK (end_date > start_date),
    CONSTRAINT chk_camp_days        CHECK (required_days > 0 AND required_days <= total_days),
    CONSTRAINT chk_camp_status      CHECK (status IN ('not_started', 'ongoing', 'finished')),
    CONSTRAINT chk_camp_capacity    CHECK (capacity IS NULL OR capacity > 0),
    CONSTRAINT chk_camp_counters    CHECK (member_count >= 0 AND paid_amount >= 0
                                           AND refunded_amount >= 0
                                           AND refunded_amount <= paid_amount)
);

CREATE INDEX idx_camp_status ON training_camp (status) WHERE deleted_at IS NULL;
CREATE INDEX idx_camp_dates ON training_camp (start_date, end_date) WHERE deleted_at IS NULL;
CREATE INDEX idx_camp_status_dates ON training_camp (status, start_date, end_date) WHERE deleted_at IS NULL;
CREATE INDEX idx_camp_planet_id ON training_camp (planet_project_id) WHERE planet_project_id IS NOT NULL;
CREATE INDEX idx_camp_created_by ON training_camp (created_by);

COMMENT ON TABLE  training_camp IS '训练营表';
COMMENT ON COLUMN training_camp.name IS '训练营名称（≤50 字符）';
COMMENT ON COLUMN training_camp.poster_sha256 IS '项目海报（media.sha256）；表单要求必填，库中可空';
COMMENT ON COLUMN training_camp.description IS '项目介绍（≤500 字符）';
COMMENT ON COLUMN training_camp.deposit IS '押金金额（元，>0）；下单时复制到 payment_record.pay_amount';
COMMENT ON COLUMN training_camp.start_date IS '开始日期（Asia/Shanghai 日历日）';
COMMENT ON COLUMN training_camp.end_date IS '结束日期（> 开始日期）';
COMMENT ON COLUMN training_camp.total_days IS '总天数 X';
COMMENT ON COLUMN training_camp.required_days IS '要求打卡天数 Y（0 < Y ≤ X）';
COMMENT ON COLUMN training_camp.group_qrcode_sha256 IS '群二维码（media.sha256），可随时更换';
COMMENT ON COLUMN training_camp.planet_project_id IS '知识星球打卡项目ID（开营前必须填写，可空）';
COMMENT ON COLUMN training_camp.wechat_pay_code_id IS '企业微信收款码ID / 对外收款收款人（可选）';
COMMENT ON COLUMN training_camp.status IS '状态: not_started-未开始, ongoing-进行中, finished-已结束';
COMMENT ON COLUMN training_camp.enroll_url IS 'H5报名链接';
COMMENT ON COLUMN training_camp.capacity IS '名额上限（NULL = 不限）；计已支付会员 + 未过期待支付订单';
COMMENT ON COLUMN training_camp.robot_webhook_key IS '企业微信群机器人 webhook key（应用层加密后存储）';
COMMENT ON COLUMN training_camp.member_count IS '已支付报名人数（冗余计数，应用维护）';
COMMENT ON COLUMN training_camp.paid_amount IS '已收押金总额（冗余，应用维护）';
COMMENT ON COLUMN training_camp.refunded_amount IS '已退押金总额（冗余，应用维护，≤ paid_amount）';
COMMENT ON COLUMN training_camp.created_by IS '创建人（system_user.id）';
COMMENT ON COLUMN training_camp.deleted_at IS '软删除时间';

-- =====================================================================================
-- camp_member_relation — coaches and volunteers of a camp (spec 000 §3.2)
-- =====================================================================================

CREATE TABLE camp_member_relation (
    id          BIGSERIAL   PRIMARY KEY,
    camp_id     BIGINT      NOT NULL,
    user_id     BIGINT      NOT NULL,
    role_type   VARCHAR(20) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT fk_cmr_camp FOREIGN KEY (camp_id) REFERENCES training_camp (id),
    CONSTRAINT fk_cmr_user FOREIGN KEY (user_id) REFERENCES system_user (id),
    CONSTRAINT uq_cmr UNIQUE (camp_id, user_id, role_type),
    CONSTRAINT chk_cmr_role_type CHECK (role_type IN ('coach', 'volunteer'))
);

CREATE INDEX idx_cmr_camp ON camp_member_relation (camp_id);
CREATE INDEX idx_cmr_user ON camp_member_relation (user_id);

COMMENT ON TABLE  camp_member_relation IS '训练营人员关系表（教练、志愿者）';
COMMENT ON COLUMN camp_member_relation.camp_id IS '训练营ID';
COMMENT ON COLUMN camp_member_relation.user_id IS '用户ID（教练或志愿者）';
COMMENT ON COLUMN camp_member_relation.role_type IS '角色类型: coach-教练, volunteer-志愿者';

-- =====================================================================================
-- planet_user — ZSXQ users seen by the check-in sync (spec 000 §3.3)
-- =====================================================================================

CREATE TABLE planet_user (
    id               BIGSERIAL    PRIMARY KEY,
    planet_user_id   VARCHAR(50)  NOT NULL UNIQUE,
    planet_nickname  VARCHAR(100),
    planet_alias     VARCHAR(100),
    wechat_nickname  VARCHAR(100),
    total_camps      INTEGER      NOT NULL DEFAULT 0,
    total_checkins   INTEGER      NOT NULL DEFAULT 0,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    deleted_at       timestamptz
);

CREATE INDEX idx_planet_nickname ON planet_user (planet_nickname) WHERE deleted_at IS NULL;

COMMENT ON TABLE  planet_user IS '知识星球用户表（打卡同步时写入，用于匹配）';
COMMENT ON COLUMN planet_user.planet_user_id IS '知识星球用户ID（ZSXQ user_id，唯一）';
COMMENT ON COLUMN planet_user.planet_nickname IS '知识星球昵称（ZSXQ name）';
COMMENT ON COLUMN planet_user.planet_alias IS '知识星球别名（ZSXQ alias，可空；用于 33 分匹配）';
COMMENT ON COLUMN planet_user.wechat_nickname IS '微信昵称';
COMMENT ON COLUMN planet_user.total_camps IS '参与训练营总数';
COMMENT ON COLUMN planet_user.total_checkins IS '总打卡次数';

-- =====================================================================================
-- camp_member — an enrollment; created with its order, counts once paid (spec 000 §3.4)
-- =====================================================================================

CREATE TABLE camp_member (
    id                      BIGSERIAL    PRIMARY KEY,

    camp_id                 BIGINT       NOT NULL,
    planet_user_id          BIGINT,

    filled_planet_nickname  VARCHAR(100),
    filled_planet_user_id   VARCHAR(50),
    filled_wechat_nickname  VARCHAR(100),
    openid                  VARCHAR(128),

    paid                    BOOLEAN      NOT NULL DEFAULT false,
    paid_at                 timestamptz,

    match_status            VARCHAR(20)  NOT NULL DEFAULT 'pending',
    match_confidence        INTEGER      NOT NULL DEFAULT 0,
    match_flags             TEXT,
    match_time              timestamptz,

    joined_group            BOOLEAN      NOT NULL DEFAULT false,
    joined_at               timestamptz,

    checkin_count           INTEGER      NOT NULL DEFAULT 0,
    checkin_rate            DECIMAL(7,2) NOT NULL DEFAULT 0,
    last_checkin_time       timestamptz,

    eligible_for_refund     BOOLEAN      NOT NULL DEFAULT false,

    created_at              timestamptz  NOT NULL DEFAULT now(),
    updated_at              timestamptz  NOT NULL DEFAULT now(),
    deleted_at              timestamptz,

    CONSTRAINT fk_cm_camp        FOREIGN KEY (camp_id) REFERENCES training_camp (id),
    CONSTRAINT fk_cm_planet_user FOREIGN KEY (planet_user_id) REFERENCES planet_user (id),
    CONSTRAINT chk_cm_match_status     CHECK (match_status IN ('pending', 'matched', 'failed')),
    CONSTRAINT chk_cm_match_confidence CHECK (match_confidence IN (0, 33, 66, 100)),
    CONSTRAINT chk_cm_checkin          CHECK (checkin_count >= 0 AND checkin_rate >= 0)
);

-- One paid, live enrollment per planet ID per camp. Unpaid (abandoned) orders never
-- block a retry; pay-later members have no planet ID yet.
CREATE UNIQUE INDEX uq_cm_paid_planet_id ON camp_member (camp_id, filled_planet_user_id)
    WHERE paid AND deleted_at IS NULL AND filled_planet_user_id IS NOT NULL;

CREATE INDEX idx_cm_camp ON camp_member (camp_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_cm_camp_paid ON camp_member (camp_id) WHERE paid AND deleted_at IS NULL;
CREATE INDEX idx_cm_filled_planet_id ON camp_member (camp_id, filled_planet_user_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_cm_planet_user ON camp_member (planet_user_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_cm_openid ON camp_member (openid) WHERE openid IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX idx_cm_match_status ON camp_member (match_status) WHERE deleted_at IS NULL;
CREATE INDEX idx_member_camp_match ON camp_member (camp_id, match_status) WHERE deleted_at IS NULL;
CREATE INDEX idx_cm_refund_eligible ON camp_member (camp_id, eligible_for_refund) WHERE deleted_at IS NULL;

COMMENT ON TABLE  camp_member IS '训练营会员表（报名；随订单创建，支付后才算报名成功）';
COMMENT ON COLUMN camp_member.camp_id IS '训练营ID';
COMMENT ON COLUMN camp_member.planet_user_id IS '匹配到的知识星球用户（planet_user.id，匹配成功后填充）';
COMMENT ON COLUMN camp_member.filled_planet_nickname IS '填写的星球昵称（先付后绑时可空）';
COMMENT ON COLUMN camp_member.filled_planet_user_id IS '填写的星球ID（先付后绑时可空）';
COMMENT ON COLUMN camp_member.filled_wechat_nickname IS '填写的微信昵称';
COMMENT ON COLUMN camp_member.openid IS '付款人微信 openid（公众号 OAuth 获得）';
COMMENT ON COLUMN camp_member.paid IS '是否已支付（支付成功回调置 true）；唯一性只约束已支付会员';
COMMENT ON COLUMN camp_member.paid_at IS '支付成功时间';
COMMENT ON COLUMN camp_member.match_status IS '匹配状态: pending-待匹配, matched-已匹配, failed-匹配失败';
COMMENT ON COLUMN camp_member.match_confidence IS '匹配置信度: 100-ID与昵称均匹配(或人工绑定), 66-ID匹配昵称不符/仅昵称匹配, 33-微信名匹配, 0-未匹配';
COMMENT ON COLUMN camp_member.match_flags IS '匹配标记（如 昵称不符），逗号分隔';
COMMENT ON COLUMN camp_member.match_time IS '匹配时间';
COMMENT ON COLUMN camp_member.joined_group IS '是否已进群';
COMMENT ON COLUMN camp_member.joined_at IS '进群时间';
COMMENT ON COLUMN camp_member.checkin_count IS '已打卡天数（营期内不同的 Asia/Shanghai 日期数）';
COMMENT ON COLUMN camp_member.checkin_rate IS '打卡完成率(%) = 打卡天数 / required_days × 100（可超过100）';
COMMENT ON COLUMN camp_member.last_checkin_time IS '最后打卡时间';
COMMENT ON COLUMN camp_member.eligible_for_refund IS '是否符合退款条件（打卡天数 + 宽限天数 ≥ required_days）';
COMMENT ON COLUMN camp_member.deleted_at IS '软删除时间（未支付且订单过期的报名会被软删除）';

-- =====================================================================================
-- payment_record — one order (out_trade_no) and its binding state (spec 000 §3.5,
-- ARCHITECTURE §5/§6: the single source of truth for bind_status)
-- =====================================================================================

CREATE TABLE payment_record (
    id                          BIGSERIAL     PRIMARY KEY,

    order_no                    VARCHAR(64)   NOT NULL UNIQUE,

    camp_id                     BIGINT        NOT NULL,
    member_id                   BIGINT,

    pay_amount                  DECIMAL(10,2) NOT NULL,
    pay_status                  VARCHAR(20)   NOT NULL DEFAULT 'pending',
    pay_time                    timestamptz,
    refunded_amount             DECIMAL(10,2) NOT NULL DEFAULT 0,

    source                      VARCHAR(20)   NOT NULL DEFAULT 'wechatpay',
    trade_type                  VARCHAR(16),
    openid                      VARCHAR(128),
    time_expire                 timestamptz,
    attach                      TEXT,

    wechat_order_no             VARCHAR(100),
    wechat_transaction_id       VARCHAR(100),
    payer_wechat_name           VARCHAR(100),

    bind_status                 VARCHAR(20)   NOT NULL DEFAULT 'pending',
    bind_method                 VARCHAR(20),
    bind_deadline               timestamptz,
    bound_at                    timestamptz,
    planet_user_id_from_attach  VARCHAR(50),

    callback_data               JSONB,

    created_at                  timestamptz   NOT NULL DEFAULT now(),
    updated_at                  timestamptz   NOT NULL DEFAULT now(),
    deleted_at                  timestamptz,

    CONSTRAINT fk_pr_camp   FOREIGN KEY (camp_id) REFERENCES training_camp (id),
    CONSTRAINT fk_pr_member FOREIGN KEY (member_id) REFERENCES camp_member (id),
    CONSTRAINT chk_pr_amount      CHECK (pay_amount > 0),
    CONSTRAINT chk_pr_pay_status  CHECK (pay_status IN ('pending', 'success', 'closed', 'failed', 'refunded')),
    CONSTRAINT chk_pr_refunded    CHECK (refunded_amount >= 0 AND refunded_amount <= pay_amount),
    CONSTRAINT chk_pr_source      CHECK (source IN ('wechatpay', 'wecom_bill')),
    CONSTRAINT chk_pr_bind_status CHECK (bind_status IN ('pending', 'completed', 'expired', 'manual_review', 'closed')),
    CONSTRAINT chk_pr_bind_method CHECK (bind_method IS NULL OR bind_method IN ('h5_bindplanet', 'user_fill', 'manual'))
);

CREATE UNIQUE INDEX uq_pr_wechat_transaction_id ON payment_record (wechat_transaction_id)
    WHERE wechat_transaction_id IS NOT NULL;
CREATE INDEX idx_pr_camp ON payment_record (camp_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_pr_member ON payment_record (member_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_pr_status ON payment_record (pay_status) WHERE deleted_at IS NULL;
CREATE INDEX idx_pr_pay_time ON payment_record (pay_time) WHERE deleted_at IS NULL;
CREATE INDEX idx_pr_openid ON payment_record (openid) WHERE openid IS NOT NULL;
CREATE INDEX idx_pr_pending_expire ON payment_record (time_expire) WHERE pay_status = 'pending' AND deleted_at IS NULL;
CREATE INDEX idx_pr_bind_status ON payment_record (bind_status) WHERE deleted_at IS NULL;
CREATE INDEX idx_pr_bind_deadline ON payment_record (bind_deadline) WHERE bind_status = 'pending' AND deleted_at IS NULL;

COMMENT ON TABLE  payment_record IS '支付记录表（一个商户订单；也是身份绑定状态的唯一来源）';
COMMENT ON COLUMN payment_record.order_no IS '商户订单号 out_trade_no（唯一）；过期后重新支付生成新单号；企业微信账单导入时为生成的单号';
COMMENT ON COLUMN payment_record.camp_id IS '训练营ID';
COMMENT ON COLUMN payment_record.member_id IS '会员ID（camp_member.id）';
COMMENT ON COLUMN payment_record.pay_amount IS '支付金额（元，>0）；下单时从训练营押金复制，回调金额与此比对';
COMMENT ON COLUMN payment_record.pay_status IS '支付状态: pending-待支付, success-成功, closed-已关闭, failed-失败, refunded-已全额退款';
COMMENT ON COLUMN payment_record.pay_time IS '支付时间（success_time）';
COMMENT ON COLUMN payment_record.refunded_amount IS '已退款金额（元）；0 ≤ refunded_amount ≤ pay_amount';
COMMENT ON COLUMN payment_record.source IS '来源: wechatpay-微信支付商户订单, wecom_bill-企业微信对外收款账单（只能线下退款）';
COMMENT ON COLUMN payment_record.trade_type IS '微信支付交易类型: JSAPI, NATIVE';
COMMENT ON COLUMN payment_record.openid IS '付款人 openid';
COMMENT ON COLUMN payment_record.time_expire IS '订单支付截止时间（下单后 30 分钟）';
COMMENT ON COLUMN payment_record.attach IS '下单 attach（≤128 字节，携带训练营与会员ID，回调原样返回）';
COMMENT ON COLUMN payment_record.wechat_order_no IS '企业微信订单号（账单导入时）';
COMMENT ON COLUMN payment_record.wechat_transaction_id IS '微信支付交易号 transaction_id（非空时唯一）';
COMMENT ON COLUMN payment_record.payer_wechat_name IS '付款人微信名';
COMMENT ON COLUMN payment_record.bind_status IS '绑定状态: pending-待绑定, completed-已绑定, expired-已过期, manual_review-人工处理, closed-已关闭';
COMMENT ON COLUMN payment_record.bind_method IS '绑定方式: h5_bindplanet-下单时填写, user_fill-先付后绑, manual-人工绑定';
COMMENT ON COLUMN payment_record.bind_deadline IS '绑定截止时间（先付后绑：支付后 7 天）';
COMMENT ON COLUMN payment_record.bound_at IS '绑定完成时间';
COMMENT ON COLUMN payment_record.planet_user_id_from_attach IS '从 attach 解析的星球用户ID';
COMMENT ON COLUMN payment_record.callback_data IS '支付回调（解密后）原始数据';
COMMENT ON COLUMN payment_record.deleted_at IS '软删除时间（财务记录，保留期任务从不删除）';

-- =====================================================================================
-- payment_bind_log — binding transitions keyed by payment (was payment_mapping_status_log)
-- =====================================================================================

CREATE TABLE payment_bind_log (
    id           BIGSERIAL   PRIMARY KEY,
    payment_id   BIGINT      NOT NULL,
    from_status  VARCHAR(32),
    to_status    VARCHAR(32) NOT NULL,
    event        VARCHAR(64) NOT NULL,
    operator_id  BIGINT,
    extra_data   JSONB,
    created_at   timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT fk_pbl_payment  FOREIGN KEY (payment_id) REFERENCES payment_record (id),
    CONSTRAINT fk_pbl_operator FOREIGN KEY (operator_id) REFERENCES system_user (id)
);

CREATE INDEX idx_pbl_payment ON payment_bind_log (payment_id);
CREATE INDEX idx_pbl_event ON payment_bind_log (event);
CREATE INDEX idx_pbl_time ON payment_bind_log (created_at);

COMMENT ON TABLE  payment_bind_log IS '支付绑定状态日志表（原 payment_mapping_status_log，按 payment_id 关联）';
COMMENT ON COLUMN payment_bind_log.payment_id IS '支付记录ID（payment_record.id）';
COMMENT ON COLUMN payment_bind_log.from_status IS '原绑定状态';
COMMENT ON COLUMN payment_bind_log.to_status IS '新绑定状态';
COMMENT ON COLUMN payment_bind_log.event IS '触发事件: CREATE_WITH_ATTACH, CREATE_WITHOUT_ATTACH, USER_BIND, EXPIRE, TO_MANUAL_REVIEW, MANUAL_BIND, CLOSE';
COMMENT ON COLUMN payment_bind_log.operator_id IS '操作人ID（人工操作时；系统操作为空）';
COMMENT ON COLUMN payment_bind_log.extra_data IS '额外数据（如匹配建议）';

-- =====================================================================================
-- payment_mapping — VIEW over payment_record (+ camp_member), spec 000 §3.11.2 shape
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
    pr.callback_data,
    pr.pay_status,
    pr.source,
    pr.created_at,
    pr.updated_at
FROM payment_record pr
LEFT JOIN camp_member cm ON cm.id = pr.member_id
WHERE pr.deleted_at IS NULL;

COMMENT ON VIEW payment_mapping IS '支付映射视图（spec 000 的 payment_mapping 表改为 payment_record 上的视图，绑定状态唯一来源为 payment_record）';
COMMENT ON COLUMN payment_mapping.amount IS '支付金额（分）';

-- =====================================================================================
-- checkin_record (spec 000 §3.6)
-- =====================================================================================

CREATE TABLE checkin_record (
    id                 BIGSERIAL   PRIMARY KEY,
    camp_id            BIGINT      NOT NULL,
    planet_user_id     BIGINT      NOT NULL,
    member_id          BIGINT,
    checkin_date       DATE        NOT NULL,
    checkin_time       timestamptz NOT NULL,
    checkin_content    TEXT,
    planet_checkin_id  VARCHAR(50),
    raw_data           JSONB,
    synced_at          timestamptz NOT NULL DEFAULT now(),
    created_at         timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT fk_cr_camp        FOREIGN KEY (camp_id) REFERENCES training_camp (id),
    CONSTRAINT fk_cr_planet_user FOREIGN KEY (planet_user_id) REFERENCES planet_user (id),
    CONSTRAINT fk_cr_member      FOREIGN KEY (member_id) REFERENCES camp_member (id),
    CONSTRAINT uq_cr_camp_user_date UNIQUE (camp_id, planet_user_id, checkin_date)
);

CREATE INDEX idx_cr_planet_user ON checkin_record (planet_user_id);
CREATE INDEX idx_cr_member ON checkin_record (member_id);
CREATE INDEX idx_cr_date ON checkin_record (checkin_date);
CREATE INDEX idx_checkin_camp_date ON checkin_record (camp_id, checkin_date);

COMMENT ON TABLE  checkin_record IS '打卡记录表（从知识星球同步；同一营同一人同一天一条）';
COMMENT ON COLUMN checkin_record.camp_id IS '训练营ID';
COMMENT ON COLUMN checkin_record.planet_user_id IS '知识星球用户（planet_user.id）';
COMMENT ON COLUMN checkin_record.member_id IS '会员ID（匹配后关联，可空）';
COMMENT ON COLUMN checkin_record.checkin_date IS '打卡日期（Asia/Shanghai 日历日）';
COMMENT ON COLUMN checkin_record.checkin_time IS '打卡时间（当天第一条打卡主题的时间）';
COMMENT ON COLUMN checkin_record.checkin_content IS '打卡内容';
COMMENT ON COLUMN checkin_record.planet_checkin_id IS '知识星球打卡主题ID（topic_id）';
COMMENT ON COLUMN checkin_record.raw_data IS '原始数据';
COMMENT ON COLUMN checkin_record.synced_at IS '同步时间';

-- =====================================================================================
-- refund_record (spec 000 §3.7 + ARCHITECTURE §5 attempts)
-- =====================================================================================

CREATE TABLE refund_record (
    id               BIGSERIAL     PRIMARY KEY,

    camp_id          BIGINT        NOT NULL,
    member_id        BIGINT        NOT NULL,
    payment_id       BIGINT        NOT NULL,

    refund_amount    DECIMAL(10,2) NOT NULL,
    refund_status    VARCHAR(20)   NOT NULL DEFAULT 'pending',

    audit_status     VARCHAR(20)   NOT NULL DEFAULT 'pending',
    auditor_id       BIGINT,
    audit_time       timestamptz,
    audit_comment    TEXT,

    out_refund_no    VARCHAR(64)   UNIQUE,
    attempt          INTEGER       NOT NULL DEFAULT 1,
    execute_time     timestamptz,
    wechat_refund_id VARCHAR(100),
    wechat_status    VARCHAR(20),
    success_time     timestamptz,

    failure_reason   TEXT,
    retry_count      INTEGER       NOT NULL DEFAULT 0,
    last_retry_time  timestamptz,
    next_retry_at    timestamptz,

    notified         BOOLEAN       NOT NULL DEFAULT false,
    notify_time      timestamptz,

    created_at       timestamptz   NOT NULL DEFAULT now(),
    updated_at       timestamptz   NOT NULL DEFAULT now(),
    deleted_at       timestamptz,

    CONSTRAINT fk_rr_camp    FOREIGN KEY (camp_id) REFERENCES training_camp (id),
    CONSTRAINT fk_rr_member  FOREIGN KEY (member_id) REFERENCES camp_member (id),
    CONSTRAINT fk_rr_payment FOREIGN KEY (payment_id) REFERENCES payment_record (id),
    CONSTRAINT fk_rr_auditor FOREIGN KEY (auditor_id) REFERENCES system_user (id),
    CONSTRAINT chk_rr_amount        CHECK (refund_amount > 0),
    CONSTRAINT chk_rr_refund_status CHECK (refund_status IN ('pending', 'approved', 'rejected', 'processing',
                                                             'success', 'failed', 'closed', 'abnormal',
                                                             'refunded_offline')),
    CONSTRAINT chk_rr_audit_status  CHECK (audit_status IN ('pending', 'approved', 'rejected')),
    CONSTRAINT chk_rr_attempt       CHECK (attempt >= 1),
    CONSTRAINT chk_rr_retry_count   CHECK (retry_count >= 0)
);

-- At most one live attempt (approved, processing or success) per payment.
CREATE UNIQUE INDEX uq_rr_live_attempt ON refund_record (payment_id)
    WHERE refund_status IN ('approved', 'processing', 'success') AND deleted_at IS NULL;

CREATE INDEX idx_rr_camp ON refund_record (camp_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_rr_member ON refund_record (member_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_rr_payment ON refund_record (payment_id);
CREATE INDEX idx_rr_status ON refund_record (refund_status) WHERE deleted_at IS NULL;
CREATE INDEX idx_refund_pending_audit ON refund_record (camp_id, audit_status)
    WHERE audit_status = 'pending' AND deleted_at IS NULL;
CREATE INDEX idx_rr_worker ON refund_record (next_retry_at NULLS FIRST, id)
    WHERE refund_status IN ('approved', 'processing') AND deleted_at IS NULL;

COMMENT ON TABLE  refund_record IS '退款记录表（每个支付一条退款提议；每次尝试有自己的 out_refund_no）';
COMMENT ON COLUMN refund_record.camp_id IS '训练营ID';
COMMENT ON COLUMN refund_record.member_id IS '会员ID';
COMMENT ON COLUMN refund_record.payment_id IS '支付记录ID';
COMMENT ON COLUMN refund_record.refund_amount IS '退款金额（元，>0，≤ 支付金额）';
COMMENT ON COLUMN refund_record.refund_status IS '退款状态: pending-待审核, approved-审核通过, rejected-审核拒绝, processing-退款中, success-退款成功, failed-退款失败, closed-退款关闭, abnormal-退款异常, refunded_offline-已线下退款';
COMMENT ON COLUMN refund_record.audit_status IS '审核状态: pending-待审核, approved-通过, rejected-拒绝';
COMMENT ON COLUMN refund_record.auditor_id IS '审核人ID';
COMMENT ON COLUMN refund_record.audit_time IS '审核时间';
COMMENT ON COLUMN refund_record.audit_comment IS '审核备注（拒绝原因等）';
COMMENT ON COLUMN refund_record.out_refund_no IS '商户退款单号（唯一；同一次尝试的每次重试复用）';
COMMENT ON COLUMN refund_record.attempt IS '尝试序号（closed/abnormal 后新建尝试 +1）';
COMMENT ON COLUMN refund_record.execute_time IS '退款执行（提交微信）时间';
COMMENT ON COLUMN refund_record.wechat_refund_id IS '微信退款单号 refund_id';
COMMENT ON COLUMN refund_record.wechat_status IS '微信返回的退款状态: SUCCESS, CLOSED, PROCESSING, ABNORMAL';
COMMENT ON COLUMN refund_record.success_time IS '退款成功时间';
COMMENT ON COLUMN refund_record.failure_reason IS '失败原因';
COMMENT ON COLUMN refund_record.retry_count IS '重试次数（最多 3 次）';
COMMENT ON COLUMN refund_record.last_retry_time IS '最后重试时间';
COMMENT ON COLUMN refund_record.next_retry_at IS '下次重试/查询时间（退避）';
COMMENT ON COLUMN refund_record.notified IS '是否已通知会员';
COMMENT ON COLUMN refund_record.notify_time IS '通知时间';

-- Never refund more than was paid: a single refund can not exceed the payment, and the
-- live-attempt index above allows only one success per payment (the sum check below is
-- defence in depth).
CREATE FUNCTION check_refund_amount()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    v_pay_amount   DECIMAL(10,2);
    v_other_success DECIMAL(12,2);
BEGIN
    SELECT pay_amount INTO v_pay_amount FROM payment_record WHERE id = NEW.payment_id;
    IF NOT FOUND THEN
        RETURN NEW;   -- the foreign key reports it
    END IF;

    IF NEW.refund_amount > v_pay_amount THEN
        RAISE EXCEPTION 'refund amount % exceeds payment % amount %',
            NEW.refund_amount, NEW.payment_id, v_pay_amount
            USING ERRCODE = 'raise_exception', HINT = 'refund_amount_exceeds_payment';
    END IF;

    IF NEW.refund_status IN ('success', 'refunded_offline') AND NEW.deleted_at IS NULL THEN
        SELECT COALESCE(SUM(refund_amount), 0) INTO v_other_success
          FROM refund_record
         WHERE payment_id = NEW.payment_id
           AND id <> NEW.id
           AND refund_status IN ('success', 'refunded_offline')
           AND deleted_at IS NULL;
        IF v_other_success + NEW.refund_amount > v_pay_amount THEN
            RAISE EXCEPTION 'refunds of payment % would total % > paid %',
                NEW.payment_id, v_other_success + NEW.refund_amount, v_pay_amount
                USING ERRCODE = 'raise_exception', HINT = 'refund_amount_exceeds_payment';
        END IF;
    END IF;

    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION check_refund_amount() IS '退款金额校验：单笔退款不超过支付金额，成功退款合计不超过支付金额';

CREATE TRIGGER trg_refund_record_amount
    BEFORE INSERT OR UPDATE ON refund_record
    FOR EACH ROW
    EXECUTE FUNCTION check_refund_amount();

-- =====================================================================================
-- operation_log (spec 000 §3.9)
-- =====================================================================================

CREATE TABLE operation_log (
    id              BIGSERIAL    PRIMARY KEY,
    operator_id     BIGINT,
    operator_name   VARCHAR(50)  NOT NULL,
    operation_type  VARCHAR(50)  NOT NULL,
    operation_desc  TEXT         NOT NULL,
    target_type     VARCHAR(50),
    target_id       BIGINT,
    target_name     VARCHAR(200),
    request_url     VARCHAR(500),
    request_method  VARCHAR(10),
    request_params  TEXT,
    ip_address      VARCHAR(64),
    user_agent      TEXT,
    request_id      VARCHAR(64),
    success         BOOLEAN      NOT NULL,
    error_message   TEXT,
    execute_time    INTEGER,
    created_at      timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT fk_ol_operator FOREIGN KEY (operator_id) REFERENCES system_user (id)
);

CREATE INDEX idx_ol_operator ON operation_log (operator_id);
CREATE INDEX idx_ol_type ON operation_log (operation_type);
CREATE INDEX idx_ol_target ON operation_log (target_type, target_id);
CREATE INDEX idx_operation_log_time_desc ON operation_log (created_at DESC);

COMMENT ON TABLE  operation_log IS '操作日志表（所有敏感操作）';
COMMENT ON COLUMN operation_log.operator_id IS '操作人ID（系统/定时任务操作为空）';
COMMENT ON COLUMN operation_log.operator_name IS '操作人姓名（系统操作如 system / camp-worker）';
COMMENT ON COLUMN operation_log.operation_type IS '操作类型: CREATE_CAMP, UPDATE_CAMP, DELETE_CAMP, MANUAL_MATCH, MARK_JOINED, APPROVE_REFUND, REJECT_REFUND, RETRY_REFUND, UPDATE_CONFIG …';
COMMENT ON COLUMN operation_log.operation_desc IS '操作描述';
COMMENT ON COLUMN operation_log.target_type IS '操作对象类型（如：训练营、会员）';
COMMENT ON COLUMN operation_log.target_id IS '操作对象ID';
COMMENT ON COLUMN operation_log.target_name IS '操作对象名称';
COMMENT ON COLUMN operation_log.request_url IS '请求URL';
COMMENT ON COLUMN operation_log.request_method IS '请求方法';
COMMENT ON COLUMN operation_log.request_params IS '请求参数（不含密码等秘密）';
COMMENT ON COLUMN operation_log.ip_address IS 'IP地址';
COMMENT ON COLUMN operation_log.user_agent IS 'User Agent';
COMMENT ON COLUMN operation_log.request_id IS 'nginx 请求ID';
COMMENT ON COLUMN operation_log.success IS '是否成功';
COMMENT ON COLUMN operation_log.error_message IS '错误信息';
COMMENT ON COLUMN operation_log.execute_time IS '执行耗时（毫秒）';

-- =====================================================================================
-- system_config (spec 000 §3.10)
-- =====================================================================================

CREATE TABLE system_config (
    id            BIGSERIAL    PRIMARY KEY,
    config_key    VARCHAR(100) NOT NULL UNIQUE,
    config_value  TEXT,
    config_type   VARCHAR(20)  NOT NULL DEFAULT 'string',
    description   TEXT,
    group_name    VARCHAR(50)  NOT NULL DEFAULT 'default',
    is_encrypted  BOOLEAN      NOT NULL DEFAULT false,
    updated_by    BIGINT,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT fk_sc_updated_by FOREIGN KEY (updated_by) REFERENCES system_user (id),
    CONSTRAINT chk_sc_type CHECK (config_type IN ('string', 'number', 'json', 'encrypted', 'boolean'))
);

CREATE INDEX idx_sc_group ON system_config (group_name);

COMMENT ON TABLE  system_config IS '系统配置表（保存后数秒内在所有进程生效）';
COMMENT ON COLUMN system_config.config_key IS '配置键（如 planet.cookie, wechat.pay_key）';
COMMENT ON COLUMN system_config.config_value IS '配置值；is_encrypted 时为 AES-256-GCM 密文（带密钥版本前缀）';
COMMENT ON COLUMN system_config.config_type IS '配置类型: string, number, json, encrypted, boolean';
COMMENT ON COLUMN system_config.description IS '配置说明';
COMMENT ON COLUMN system_config.group_name IS '配置分组';
COMMENT ON COLUMN system_config.is_encrypted IS '是否加密存储';
COMMENT ON COLUMN system_config.updated_by IS '最后修改人（system_user.id；campctl 修改为空）';

-- Non-secret defaults only. Secrets are never seeded.
INSERT INTO system_config (config_key, config_value, config_type, description, group_name, is_encrypted) VALUES
('planet.min_interval_ms',     '500', 'number', '知识星球接口调用最小间隔（毫秒）',           'planet',       false),
('refund.grace_days',          '1',   'number', '打卡宽限天数（打卡天数 + 宽限 ≥ 要求天数即可退款）', 'refund',       false),
('security.login_user_limit',  '5',   'number', '同一用户名登录失败次数上限（锁定 15 分钟）', 'security',     false),
('security.login_ip_limit',    '20',  'number', '同一 IP 登录失败次数上限（锁定 15 分钟）',   'security',     false),
('notification.admin_users',   '[]',  'json',   '接收通知的管理员ID列表',                     'notification', false);

-- =====================================================================================
-- State logs (spec 000 §3.11)
-- =====================================================================================

CREATE TABLE camp_status_log (
    id           BIGSERIAL   PRIMARY KEY,
    camp_id      BIGINT      NOT NULL,
    from_status  VARCHAR(32),
    to_status    VARCHAR(32) NOT NULL,
    event        VARCHAR(64) NOT NULL,
    operator_id  BIGINT,
    remark       TEXT,
    created_at   timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT fk_csl_camp     FOREIGN KEY (camp_id) REFERENCES training_camp (id),
    CONSTRAINT fk_csl_operator FOREIGN KEY (operator_id) REFERENCES system_user (id)
);

CREATE INDEX idx_csl_camp ON camp_status_log (camp_id);
CREATE INDEX idx_csl_event ON camp_status_log (event);
CREATE INDEX idx_csl_time ON camp_status_log (created_at);

COMMENT ON TABLE  camp_status_log IS '训练营状态日志表';
COMMENT ON COLUMN camp_status_log.camp_id IS '训练营ID';
COMMENT ON COLUMN camp_status_log.from_status IS '原状态';
COMMENT ON COLUMN camp_status_log.to_status IS '新状态';
COMMENT ON COLUMN camp_status_log.event IS '触发事件: CREATE, COMPLETE_INFO, PUBLISH, START, END, SETTLE, ARCHIVE, CANCEL';
COMMENT ON COLUMN camp_status_log.operator_id IS '操作人ID（定时任务为空）';
COMMENT ON COLUMN camp_status_log.remark IS '备注';

CREATE TABLE order_status_log (
    id           BIGSERIAL   PRIMARY KEY,
    order_id     BIGINT      NOT NULL,
    from_status  VARCHAR(32),
    to_status    VARCHAR(32) NOT NULL,
    event        VARCHAR(64) NOT NULL,
    extra_data   JSONB,
    created_at   timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT fk_osl_order FOREIGN KEY (order_id) REFERENCES payment_record (id)
);

CREATE INDEX idx_osl_order ON order_status_log (order_id);
CREATE INDEX idx_osl_event ON order_status_log (event);
CREATE INDEX idx_osl_time ON order_status_log (created_at);

COMMENT ON TABLE  order_status_log IS '订单状态日志表';
COMMENT ON COLUMN order_status_log.order_id IS '订单ID（payment_record.id）';
COMMENT ON COLUMN order_status_log.from_status IS '原状态';
COMMENT ON COLUMN order_status_log.to_status IS '新状态';
COMMENT ON COLUMN order_status_log.event IS '触发事件: CREATE, PAY, PAY_SUCCESS, PAY_FAIL, CLOSE, REFUND, REFUND_SUCCESS, REFUND_FAIL, CANCEL';
COMMENT ON COLUMN order_status_log.extra_data IS '额外数据（如支付回调信息）';

CREATE TABLE refund_status_log (
    id           BIGSERIAL   PRIMARY KEY,
    refund_id    BIGINT      NOT NULL,
    from_status  VARCHAR(32),
    to_status    VARCHAR(32) NOT NULL,
    event        VARCHAR(64) NOT NULL,
    operator_id  BIGINT,
    remark       TEXT,
    created_at   timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT fk_rsl_refund   FOREIGN KEY (refund_id) REFERENCES refund_record (id),
    CONSTRAINT fk_rsl_operator FOREIGN KEY (operator_id) REFERENCES system_user (id)
);

CREATE INDEX idx_rsl_refund ON refund_status_log (refund_id);
CREATE INDEX idx_rsl_event ON refund_status_log (event);
CREATE INDEX idx_rsl_time ON refund_status_log (created_at);

COMMENT ON TABLE  refund_status_log IS '退款状态日志表';
COMMENT ON COLUMN refund_status_log.refund_id IS '退款记录ID';
COMMENT ON COLUMN refund_status_log.from_status IS '原状态';
COMMENT ON COLUMN refund_status_log.to_status IS '新状态';
COMMENT ON COLUMN refund_status_log.event IS '触发事件: GENERATE, UPDATE, APPROVE, REJECT, REOPEN, EXECUTE, SUCCESS, FAIL, RETRY, CLOSED, ABNORMAL, NEW_ATTEMPT, MARK_OFFLINE, ESCALATE';
COMMENT ON COLUMN refund_status_log.operator_id IS '操作人ID（审核人；系统为空）';
COMMENT ON COLUMN refund_status_log.remark IS '备注';

CREATE TABLE member_status_log (
    id           BIGSERIAL   PRIMARY KEY,
    member_id    BIGINT      NOT NULL,
    camp_id      BIGINT      NOT NULL,
    from_status  VARCHAR(32),
    to_status    VARCHAR(32) NOT NULL,
    event        VARCHAR(64) NOT NULL,
    extra_data   JSONB,
    created_at   timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT fk_msl_member FOREIGN KEY (member_id) REFERENCES camp_member (id),
    CONSTRAINT fk_msl_camp   FOREIGN KEY (camp_id) REFERENCES training_camp (id)
);

CREATE INDEX idx_msl_member ON member_status_log (member_id);
CREATE INDEX idx_msl_camp ON member_status_log (camp_id);
CREATE INDEX idx_msl_event ON member_status_log (event);
CREATE INDEX idx_msl_time ON member_status_log (created_at);

COMMENT ON TABLE  member_status_log IS '会员状态日志表';
COMMENT ON COLUMN member_status_log.member_id IS '会员ID';
COMMENT ON COLUMN member_status_log.camp_id IS '训练营ID';
COMMENT ON COLUMN member_status_log.from_status IS '原状态';
COMMENT ON COLUMN member_status_log.to_status IS '新状态';
COMMENT ON COLUMN member_status_log.event IS '触发事件: ENROLL, PAY, JOIN_GROUP, MATCH, MATCH_FAIL, CHECKIN, ELIGIBLE, REFUND_PENDING, REFUND_SUCCESS';
COMMENT ON COLUMN member_status_log.extra_data IS '额外数据';

-- =====================================================================================
-- notification_message — outbox (spec 000 §3.11.7)
-- =====================================================================================

CREATE TABLE notification_message (
    id              BIGSERIAL    PRIMARY KEY,
    recipient_type  VARCHAR(20)  NOT NULL,
    recipient_id    BIGINT       NOT NULL,
    message_type    VARCHAR(50)  NOT NULL,
    title           VARCHAR(200) NOT NULL,
    content         TEXT         NOT NULL,
    camp_id         BIGINT,
    member_id       BIGINT,
    extra_data      JSONB,
    channel         VARCHAR(20)  NOT NULL,
    send_status     VARCHAR(20)  NOT NULL DEFAULT 'pending',
    send_time       timestamptz,
    retry_count     INTEGER      NOT NULL DEFAULT 0,
    next_retry_at   timestamptz,
    error_message   TEXT,
    read_status     BOOLEAN      NOT NULL DEFAULT false,
    read_time       timestamptz,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    updated_at      timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT fk_nm_camp   FOREIGN KEY (camp_id) REFERENCES training_camp (id),
    CONSTRAINT fk_nm_member FOREIGN KEY (member_id) REFERENCES camp_member (id),
    CONSTRAINT chk_nm_send_status CHECK (send_status IN ('pending', 'sent', 'failed')),
    CONSTRAINT chk_nm_retry_count CHECK (retry_count >= 0)
);

CREATE INDEX idx_nm_recipient ON notification_message (recipient_type, recipient_id);
CREATE INDEX idx_nm_type ON notification_message (message_type);
CREATE INDEX idx_nm_status ON notification_message (next_retry_at NULLS FIRST, id) WHERE send_status = 'pending';
CREATE INDEX idx_nm_camp ON notification_message (camp_id);
CREATE INDEX idx_nm_time ON notification_message (created_at);

COMMENT ON TABLE  notification_message IS '通知消息表（发件箱，由 notify 任务退避发送）';
COMMENT ON COLUMN notification_message.recipient_type IS '接收者类型: member-会员, admin-管理员（system_user）, group-训练营群机器人';
COMMENT ON COLUMN notification_message.recipient_id IS '接收者ID（camp_member.id / system_user.id / training_camp.id）';
COMMENT ON COLUMN notification_message.message_type IS '消息类型: payment_success, join_remind, checkin_remind, end_remind, refund_success, refund_failed, cookie_expired, payment_exception …';
COMMENT ON COLUMN notification_message.title IS '消息标题';
COMMENT ON COLUMN notification_message.content IS '消息内容';
COMMENT ON COLUMN notification_message.camp_id IS '关联训练营ID';
COMMENT ON COLUMN notification_message.member_id IS '关联会员ID';
COMMENT ON COLUMN notification_message.extra_data IS '额外数据';
COMMENT ON COLUMN notification_message.channel IS '发送渠道: wechat-企微应用消息, robot-群机器人, sms-短信, internal-站内';
COMMENT ON COLUMN notification_message.send_status IS '发送状态: pending-待发送, sent-已发送, failed-失败（不再重试）';
COMMENT ON COLUMN notification_message.send_time IS '发送时间';
COMMENT ON COLUMN notification_message.retry_count IS '重试次数';
COMMENT ON COLUMN notification_message.next_retry_at IS '下次发送时间（退避；NULL = 立即）';
COMMENT ON COLUMN notification_message.error_message IS '错误信息';
COMMENT ON COLUMN notification_message.read_status IS '是否已读';
COMMENT ON COLUMN notification_message.read_time IS '阅读时间';

-- =====================================================================================
-- access_token — H5 ticket tokens (tk_ + 128 random bits); only the SHA-256 is stored
-- =====================================================================================

CREATE TABLE access_token (
    id            BIGSERIAL   PRIMARY KEY,
    token_sha256  CHAR(64)    NOT NULL UNIQUE,
    payment_id    BIGINT      NOT NULL REFERENCES payment_record (id),
    camp_id       BIGINT      NOT NULL REFERENCES training_camp (id),
    member_id     BIGINT      REFERENCES camp_member (id),
    status        VARCHAR(20) NOT NULL DEFAULT 'active',
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,

    CONSTRAINT chk_at_status CHECK (status IN ('active', 'bound', 'expired', 'revoked')),
    CONSTRAINT chk_at_sha256 CHECK (token_sha256 ~ '^[0-9a-f]{64}$')
);

CREATE INDEX idx_at_payment ON access_token (payment_id);
CREATE INDEX idx_at_member ON access_token (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX idx_at_camp ON access_token (camp_id);

COMMENT ON TABLE  access_token IS 'H5 访问令牌（入群凭证 /h5/t/{token}）；库中只存 SHA-256';
COMMENT ON COLUMN access_token.token_sha256 IS '令牌（tk_ + 128 位随机数）的 SHA-256，64 位小写十六进制';
COMMENT ON COLUMN access_token.payment_id IS '支付记录ID';
COMMENT ON COLUMN access_token.camp_id IS '训练营ID';
COMMENT ON COLUMN access_token.member_id IS '会员ID';
COMMENT ON COLUMN access_token.status IS '状态: active-有效, bound-已绑定, expired-已过期, revoked-已吊销';
COMMENT ON COLUMN access_token.expires_at IS '过期时间（至少到退款结算后，营期结束 +7 天以上）';
COMMENT ON COLUMN access_token.last_used_at IS '最后使用时间';

-- =====================================================================================
-- login_attempt — login throttling (per user and per IP)
-- =====================================================================================

CREATE TABLE login_attempt (
    id          BIGSERIAL   PRIMARY KEY,
    username    VARCHAR(50),
    ip          VARCHAR(64) NOT NULL,
    success     BOOLEAN     NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idx_la_username_time ON login_attempt (username, created_at);
CREATE INDEX idx_la_ip_time ON login_attempt (ip, created_at);

COMMENT ON TABLE  login_attempt IS '登录尝试记录（按用户名与 IP 限流，失败超过阈值锁定 15 分钟）';
COMMENT ON COLUMN login_attempt.username IS '尝试的用户名（应用写入 lower(username)）';
COMMENT ON COLUMN login_attempt.ip IS '客户端 IP';
COMMENT ON COLUMN login_attempt.success IS '是否成功';
COMMENT ON COLUMN login_attempt.created_at IS '尝试时间';

-- =====================================================================================
-- job_queue / job_run — camp-worker
-- =====================================================================================

CREATE TABLE job_queue (
    id            BIGSERIAL   PRIMARY KEY,
    kind          VARCHAR(50) NOT NULL,
    args          JSONB       NOT NULL DEFAULT '{}',
    state         VARCHAR(20) NOT NULL DEFAULT 'queued',
    progress      JSONB       NOT NULL DEFAULT '{}',
    result        JSONB,
    error         TEXT,
    requested_by  BIGINT      REFERENCES system_user (id),
    run_after     timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT chk_jq_state CHECK (state IN ('queued', 'running', 'done', 'failed'))
);

-- Picking: SELECT … WHERE state = 'queued' AND run_after <= $now ORDER BY run_after, id
-- FOR UPDATE SKIP LOCKED LIMIT 1
CREATE INDEX idx_jq_pick ON job_queue (run_after, id) WHERE state = 'queued';
CREATE INDEX idx_jq_kind_state ON job_queue (kind, state);

COMMENT ON TABLE  job_queue IS '任务队列（立即同步、测试连接、批量退款等慢操作，由 camp-worker 执行，页面轮询进度）';
COMMENT ON COLUMN job_queue.kind IS '任务类型（如 sync-checkins, test-connection, refunds）';
COMMENT ON COLUMN job_queue.args IS '任务参数（JSON）';
COMMENT ON COLUMN job_queue.state IS '状态: queued-排队, running-执行中, done-完成, failed-失败';
COMMENT ON COLUMN job_queue.progress IS '进度（JSON，页面轮询 /admin/jobs/{id}）';
COMMENT ON COLUMN job_queue.result IS '结果（JSON）';
COMMENT ON COLUMN job_queue.error IS '错误信息';
COMMENT ON COLUMN job_queue.requested_by IS '请求人（system_user.id）';
COMMENT ON COLUMN job_queue.run_after IS '最早执行时间';
COMMENT ON COLUMN job_queue.started_at IS '开始时间';
COMMENT ON COLUMN job_queue.finished_at IS '结束时间';

CREATE TABLE job_run (
    id           BIGSERIAL    PRIMARY KEY,
    job          VARCHAR(50)  NOT NULL,
    queue_id     BIGINT       REFERENCES job_queue (id),
    started_at   timestamptz  NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    outcome      VARCHAR(20)  NOT NULL DEFAULT 'running',
    detail       JSONB,
    host         VARCHAR(100),

    CONSTRAINT chk_jr_outcome CHECK (outcome IN ('running', 'success', 'failed', 'skipped'))
);

CREATE INDEX idx_jr_job_time ON job_run (job, started_at DESC);
CREATE INDEX idx_jr_queue ON job_run (queue_id) WHERE queue_id IS NOT NULL;

COMMENT ON TABLE  job_run IS '任务运行记录（每次定时/排队任务运行一行）';
COMMENT ON COLUMN job_run.job IS '任务名: camp-status, sync-checkins, refund-list, reconcile-payments, expire-bindings, refunds, notify';
COMMENT ON COLUMN job_run.queue_id IS '对应的 job_queue.id（排队任务时）';
COMMENT ON COLUMN job_run.started_at IS '开始时间';
COMMENT ON COLUMN job_run.finished_at IS '结束时间';
COMMENT ON COLUMN job_run.outcome IS '结果: running-运行中, success-成功, failed-失败, skipped-跳过';
COMMENT ON COLUMN job_run.detail IS '详情（JSON：计数、错误等）';
COMMENT ON COLUMN job_run.host IS '执行主机';

-- =====================================================================================
-- payment_transaction — WeChat Pay v3 transaction snapshots (after spec 003
-- payment_transactions)
-- =====================================================================================

CREATE TABLE payment_transaction (
    id                BIGSERIAL    PRIMARY KEY,
    transaction_id    VARCHAR(64)  UNIQUE,
    payment_id        BIGINT       REFERENCES payment_record (id),
    out_trade_no      VARCHAR(64),
    trade_type        VARCHAR(32),
    trade_state       VARCHAR(32)  NOT NULL,
    trade_state_desc  VARCHAR(256),
    bank_type         VARCHAR(32),
    amount_total      INTEGER,
    payer_total       INTEGER,
    currency          VARCHAR(8)   NOT NULL DEFAULT 'CNY',
    success_time      timestamptz,
    openid            VARCHAR(128),
    raw               JSONB,
    source            VARCHAR(20)  NOT NULL,
    created_at        timestamptz  NOT NULL DEFAULT now(),
    updated_at        timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT chk_ptx_source  CHECK (source IN ('notify', 'query', 'bill')),
    CONSTRAINT chk_ptx_amounts CHECK ((amount_total IS NULL OR amount_total >= 0)
                                      AND (payer_total IS NULL OR payer_total >= 0))
);

CREATE INDEX idx_ptx_payment ON payment_transaction (payment_id);
CREATE INDEX idx_ptx_out_trade_no ON payment_transaction (out_trade_no);
CREATE INDEX idx_ptx_trade_state ON payment_transaction (trade_state);
CREATE INDEX idx_ptx_time ON payment_transaction (created_at);

COMMENT ON TABLE  payment_transaction IS '微信支付交易记录（回调/查单/账单得到的交易快照，按 transaction_id 去重）';
COMMENT ON COLUMN payment_transaction.transaction_id IS '微信支付交易号（非空时唯一）';
COMMENT ON COLUMN payment_transaction.payment_id IS '支付记录ID（未知订单为空）';
COMMENT ON COLUMN payment_transaction.out_trade_no IS '商户订单号';
COMMENT ON COLUMN payment_transaction.trade_type IS '交易类型: JSAPI, NATIVE …';
COMMENT ON COLUMN payment_transaction.trade_state IS '交易状态: SUCCESS, REFUND, NOTPAY, CLOSED, REVOKED, USERPAYING, PAYERROR';
COMMENT ON COLUMN payment_transaction.trade_state_desc IS '交易状态描述';
COMMENT ON COLUMN payment_transaction.bank_type IS '付款银行类型';
COMMENT ON COLUMN payment_transaction.amount_total IS '订单总金额（分）';
COMMENT ON COLUMN payment_transaction.payer_total IS '用户实付金额（分）';
COMMENT ON COLUMN payment_transaction.currency IS '币种（CNY）';
COMMENT ON COLUMN payment_transaction.success_time IS '支付完成时间';
COMMENT ON COLUMN payment_transaction.openid IS '付款人 openid';
COMMENT ON COLUMN payment_transaction.raw IS '解密后的原始资源（JSON）';
COMMENT ON COLUMN payment_transaction.source IS '来源: notify-支付回调, query-主动查单, bill-企业微信账单';

-- =====================================================================================
-- payment_audit_log — every payment-related action (after spec 003)
-- =====================================================================================

CREATE TABLE payment_audit_log (
    id                  BIGSERIAL   PRIMARY KEY,
    payment_id          BIGINT      REFERENCES payment_record (id),
    transaction_row_id  BIGINT      REFERENCES payment_transaction (id),
    operator_id         BIGINT      REFERENCES system_user (id),
    action_type         VARCHAR(64) NOT NULL,
    action_detail       TEXT,
    old_status          VARCHAR(32),
    new_status          VARCHAR(32),
    ip_address          VARCHAR(64),
    user_agent          TEXT,
    request_data        JSONB,
    response_data       JSONB,
    error_message       TEXT,
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idx_pal_payment ON payment_audit_log (payment_id);
CREATE INDEX idx_pal_transaction ON payment_audit_log (transaction_row_id);
CREATE INDEX idx_pal_action ON payment_audit_log (action_type);
CREATE INDEX idx_pal_time ON payment_audit_log (created_at);

COMMENT ON TABLE  payment_audit_log IS '支付审计日志（下单、回调——含验签失败、查单、关单、退款请求与应答）';
COMMENT ON COLUMN payment_audit_log.payment_id IS '支付记录ID（可空：未知订单或验签失败）';
COMMENT ON COLUMN payment_audit_log.transaction_row_id IS 'payment_transaction.id（可空）';
COMMENT ON COLUMN payment_audit_log.operator_id IS '操作人（system_user.id；系统/回调为空）';
COMMENT ON COLUMN payment_audit_log.action_type IS '动作类型（如 CREATE_ORDER, NOTIFY, NOTIFY_REJECTED, QUERY, CLOSE, REFUND_REQUEST, REFUND_NOTIFY）';
COMMENT ON COLUMN payment_audit_log.action_detail IS '动作详情';
COMMENT ON COLUMN payment_audit_log.old_status IS '原状态';
COMMENT ON COLUMN payment_audit_log.new_status IS '新状态';
COMMENT ON COLUMN payment_audit_log.ip_address IS '请求IP';
COMMENT ON COLUMN payment_audit_log.user_agent IS 'User Agent';
COMMENT ON COLUMN payment_audit_log.request_data IS '请求数据快照（不含秘密）';
COMMENT ON COLUMN payment_audit_log.response_data IS '应答数据快照';
COMMENT ON COLUMN payment_audit_log.error_message IS '错误信息';

-- =====================================================================================
-- payment_exception — verified callbacks/bills that could not be applied
-- =====================================================================================

CREATE TABLE payment_exception (
    id                BIGSERIAL   PRIMARY KEY,
    payment_id        BIGINT      REFERENCES payment_record (id),
    out_trade_no      VARCHAR(64),
    transaction_id    VARCHAR(64),
    camp_id           BIGINT      REFERENCES training_camp (id),
    amount_fen        INTEGER,
    payer_openid      VARCHAR(128),
    reason            VARCHAR(50) NOT NULL,
    detail            TEXT,
    raw               JSONB,
    status            VARCHAR(20) NOT NULL DEFAULT 'open',
    out_refund_no     VARCHAR(64) UNIQUE,
    wechat_refund_id  VARCHAR(100),
    resolved_by       BIGINT      REFERENCES system_user (id),
    resolved_at       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT chk_pe_reason CHECK (reason IN ('wrong_amount', 'unknown_order', 'order_closed',
                                               'duplicate_planet_id', 'other')),
    CONSTRAINT chk_pe_status CHECK (status IN ('open', 'refunding', 'refunded', 'resolved')),
    CONSTRAINT chk_pe_amount CHECK (amount_fen IS NULL OR amount_fen >= 0)
);

-- A redelivered callback must not create a second exception.
CREATE UNIQUE INDEX uq_pe_transaction_id ON payment_exception (transaction_id) WHERE transaction_id IS NOT NULL;
CREATE INDEX idx_pe_status ON payment_exception (status, created_at);
CREATE INDEX idx_pe_payment ON payment_exception (payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX idx_pe_camp ON payment_exception (camp_id) WHERE camp_id IS NOT NULL;

COMMENT ON TABLE  payment_exception IS '支付异常（已验签但无法入账的支付：金额不符、未知订单、订单已关闭、星球ID重复支付等），管理员可全额退款';
COMMENT ON COLUMN payment_exception.payment_id IS '关联支付记录（未知订单为空）';
COMMENT ON COLUMN payment_exception.out_trade_no IS '商户订单号';
COMMENT ON COLUMN payment_exception.transaction_id IS '微信支付交易号（非空时唯一：重复回调不重复登记）';
COMMENT ON COLUMN payment_exception.camp_id IS '关联训练营（可空）';
COMMENT ON COLUMN payment_exception.amount_fen IS '实收金额（分）';
COMMENT ON COLUMN payment_exception.payer_openid IS '付款人 openid';
COMMENT ON COLUMN payment_exception.reason IS '原因: wrong_amount-金额不符, unknown_order-未知订单, order_closed-订单已关闭, duplicate_planet_id-星球ID已报名, other-其他';
COMMENT ON COLUMN payment_exception.detail IS '详情';
COMMENT ON COLUMN payment_exception.raw IS '回调/账单原始数据';
COMMENT ON COLUMN payment_exception.status IS '状态: open-待处理, refunding-退款中, refunded-已退款, resolved-已处理（无需退款）';
COMMENT ON COLUMN payment_exception.out_refund_no IS '全额退款的商户退款单号（唯一）';
COMMENT ON COLUMN payment_exception.wechat_refund_id IS '微信退款单号';
COMMENT ON COLUMN payment_exception.resolved_by IS '处理人（system_user.id）';
COMMENT ON COLUMN payment_exception.resolved_at IS '处理时间';

-- =====================================================================================
-- updated_at triggers (every table with updated_at)
-- =====================================================================================

CREATE TRIGGER trg_system_user_updated_at BEFORE UPDATE ON system_user
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trg_training_camp_updated_at BEFORE UPDATE ON training_camp
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trg_planet_user_updated_at BEFORE UPDATE ON planet_user
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trg_camp_member_updated_at BEFORE UPDATE ON camp_member
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trg_payment_record_updated_at BEFORE UPDATE ON payment_record
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trg_refund_record_updated_at BEFORE UPDATE ON refund_record
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trg_system_config_updated_at BEFORE UPDATE ON system_config
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trg_notification_message_updated_at BEFORE UPDATE ON notification_message
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trg_payment_transaction_updated_at BEFORE UPDATE ON payment_transaction
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
CREATE TRIGGER trg_payment_exception_updated_at BEFORE UPDATE ON payment_exception
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- =====================================================================================
-- Views (spec 000 §5, adapted)
-- =====================================================================================

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
    cm.openid,
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

-- Camp statistics. Every figure comes from its own aggregate (no members × payments ×
-- refunds join, so nothing is counted twice).
CREATE VIEW v_camp_statistics AS
SELECT
    tc.id                                   AS camp_id,
    tc.name                                 AS camp_name,
    tc.start_date,
    tc.end_date,
    tc.status,
    tc.deposit,
    tc.capacity,

    m.member_count,
    m.pending_member_count,
    m.matched_count,
    m.joined_count,
    m.eligible_count,
    m.avg_checkin_rate,

    p.paid_count,
    p.total_paid,
    r.total_refunded,
    p.total_paid - r.total_refunded         AS net_income,

    r.pending_refund_count,
    r.success_refund_count,
    r.offline_refund_count,
    r.failed_refund_count,
    r.refund_completion_rate,

    e.open_exception_count
FROM training_camp tc
CROSS JOIN LATERAL (
    SELECT
        COUNT(*) FILTER (WHERE cm.paid)                                      AS member_count,
        COUNT(*) FILTER (WHERE NOT cm.paid)                                  AS pending_member_count,
        COUNT(*) FILTER (WHERE cm.paid AND cm.match_status = 'matched')      AS matched_count,
        COUNT(*) FILTER (WHERE cm.paid AND cm.joined_group)                  AS joined_count,
        COUNT(*) FILTER (WHERE cm.paid AND cm.eligible_for_refund)           AS eligible_count,
        COALESCE(ROUND(AVG(cm.checkin_rate) FILTER (WHERE cm.paid), 2), 0)   AS avg_checkin_rate
      FROM camp_member cm
     WHERE cm.camp_id = tc.id
       AND cm.deleted_at IS NULL
) m
CROSS JOIN LATERAL (
    SELECT
        COUNT(*)                        AS paid_count,
        COALESCE(SUM(pr.pay_amount), 0) AS total_paid
      FROM payment_record pr
     WHERE pr.camp_id = tc.id
       AND pr.deleted_at IS NULL
       AND pr.pay_status IN ('success', 'refunded')
) p
CROSS JOIN LATERAL (
    SELECT
        COALESCE(SUM(rr.refund_amount) FILTER (WHERE rr.refund_status IN ('success', 'refunded_offline')), 0)
                                                                             AS total_refunded,
        COUNT(*) FILTER (WHERE rr.refund_status = 'pending' AND rr.audit_status = 'pending')
                                                                             AS pending_refund_count,
        COUNT(*) FILTER (WHERE rr.refund_status = 'success')                 AS success_refund_count,
        COUNT(*) FILTER (WHERE rr.refund_status = 'refunded_offline')        AS offline_refund_count,
        COUNT(*) FILTER (WHERE rr.refund_status = 'failed')                  AS failed_refund_count,
        COALESCE(ROUND(
            100.0 * COUNT(DISTINCT rr.payment_id) FILTER (WHERE rr.refund_status IN ('success', 'refunded_offline'))
            / NULLIF(COUNT(DISTINCT rr.payment_id) FILTER (WHERE rr.refund_status NOT IN ('pending', 'rejected')), 0),
            2), 0)                                                           AS refund_completion_rate
      FROM refund_record rr
     WHERE rr.camp_id = tc.id
       AND rr.deleted_at IS NULL
) r
CROSS JOIN LATERAL (
    SELECT COUNT(*) AS open_exception_count
      FROM payment_exception pe
     WHERE pe.camp_id = tc.id
       AND pe.status IN ('open', 'refunding')
) e
WHERE tc.deleted_at IS NULL;

COMMENT ON VIEW v_camp_statistics IS '训练营统计视图（各项独立聚合，不重复计数）';
COMMENT ON COLUMN v_camp_statistics.member_count IS '已支付会员数（camp_member.paid）';
COMMENT ON COLUMN v_camp_statistics.pending_member_count IS '未支付（待支付）报名数';
COMMENT ON COLUMN v_camp_statistics.avg_checkin_rate IS '已支付会员平均打卡率(%)';
COMMENT ON COLUMN v_camp_statistics.paid_count IS '成功支付笔数（含已退款）';
COMMENT ON COLUMN v_camp_statistics.total_paid IS '已收金额（元）：pay_status 为 success 或 refunded 的支付合计';
COMMENT ON COLUMN v_camp_statistics.total_refunded IS '已退金额（元）：refund_status 为 success 或 refunded_offline 的退款合计';
COMMENT ON COLUMN v_camp_statistics.net_income IS '净收入 = total_paid - total_refunded';
COMMENT ON COLUMN v_camp_statistics.refund_completion_rate IS '退款完成率(%) = 已退款的支付数 / 已审核通过（approved 及之后状态）的支付数';

-- =====================================================================================
-- Functions (spec 000 §7, reworked)
-- =====================================================================================

-- Recompute check-in statistics of the paid, live members of one camp.
-- Days = distinct check-in dates inside the camp's dates of the ZSXQ user the member is
-- matched to (camp_member.planet_user_id). Eligible: days + grace_days >= required_days.
-- Returns the number of members updated.
CREATE FUNCTION update_member_checkin_stats(p_camp_id BIGINT, p_grace_days INTEGER DEFAULT 1)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_required INTEGER;
    v_start    DATE;
    v_end      DATE;
    v_rows     INTEGER;
BEGIN
    IF p_grace_days IS NULL OR p_grace_days < 0 THEN
        RAISE EXCEPTION 'grace days must be >= 0, got %', p_grace_days;
    END IF;

    SELECT required_days, start_date, end_date
      INTO v_required, v_start, v_end
      FROM training_camp
     WHERE id = p_camp_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'training camp % not found', p_camp_id;
    END IF;

    UPDATE camp_member cm
       SET checkin_count       = s.days,
           checkin_rate        = LEAST(ROUND(s.days * 100.0 / v_required, 2), 99999.99),
           last_checkin_time   = s.last_time,
           eligible_for_refund = (s.days + p_grace_days >= v_required)
      FROM (
            SELECT m.id,
                   COALESCE(c.days, 0) AS days,
                   c.last_time
              FROM camp_member m
              LEFT JOIN LATERAL (
                    SELECT COUNT(DISTINCT cr.checkin_date)::integer AS days,
                           MAX(cr.checkin_time)                     AS last_time
                      FROM checkin_record cr
                     WHERE cr.camp_id = p_camp_id
                       AND cr.planet_user_id = m.planet_user_id
                       AND cr.checkin_date BETWEEN v_start AND v_end
              ) c ON true
             WHERE m.camp_id = p_camp_id
               AND m.paid
               AND m.deleted_at IS NULL
           ) s
     WHERE cm.id = s.id
       AND (cm.checkin_count, cm.checkin_rate, cm.last_checkin_time, cm.eligible_for_refund)
           IS DISTINCT FROM
           (s.days, LEAST(ROUND(s.days * 100.0 / v_required, 2), 99999.99)::DECIMAL(7,2),
            s.last_time, s.days + p_grace_days >= v_required);

    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END;
$$;

COMMENT ON FUNCTION update_member_checkin_stats(BIGINT, INTEGER) IS
    '批量更新指定训练营已支付会员的打卡统计（按 camp_member.planet_user_id 匹配；打卡天数 + 宽限天数 ≥ 要求天数即符合退款）；返回更新行数';

-- generate_refund_list and auto_update_camp_status of spec 000 are intentionally not
-- created: camp-worker does both (with logging and the live-attempt rules).
