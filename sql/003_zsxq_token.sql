-- 003_zsxq_token.sql: what the outside services told us about the life of our credentials.
-- ZSXQ answers carry x-expire-in (seconds the token has left, PROTOCOLS §4); the sync
-- records it so staff are warned days before the token dies, not the night it does.
-- The row belongs to one token (its SHA-256): a token saved in 系统配置 starts unknown.

CREATE TABLE provider_token (
    provider     VARCHAR(20) PRIMARY KEY CHECK (provider IN ('zsxq')),
    token_sha256 CHAR(64)    NOT NULL,
    expires_at   TIMESTAMPTZ,
    seen_at      TIMESTAMPTZ,
    rejected_at  TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE  provider_token IS '外部服务凭据的有效期（知识星球 Token：每次成功调用返回的 x-expire-in）';
COMMENT ON COLUMN provider_token.provider IS '服务：zsxq';
COMMENT ON COLUMN provider_token.token_sha256 IS '凭据的 SHA-256（不存凭据本身）；与当前配置不符时记录作废';
COMMENT ON COLUMN provider_token.expires_at IS '到期时间 = 应答时间 + x-expire-in；未知为空';
COMMENT ON COLUMN provider_token.seen_at IS '最近一次带有效期的成功应答时间';
COMMENT ON COLUMN provider_token.rejected_at IS '服务方拒绝此凭据（已失效）的时间；之后成功调用会清空';
COMMENT ON COLUMN provider_token.updated_at IS '更新时间';
