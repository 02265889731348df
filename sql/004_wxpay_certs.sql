-- 004_wxpay_certs.sql: WeChat Pay platform certificates (PROTOCOLS §1.7) for merchants without
-- the "WeChat Pay public key", the once-a-minute limit on refreshes that unknown serials ask
-- for, and the WeCom userids that WeCom refused (PROTOCOLS §3: invaliduser/unlicenseduser).

-- Every certificate /v3/certificates gave us and that has not expired (the wxpay-certs job
-- prunes expired ones).  Only rows whose PEM decrypted with the APIv3 key and whose answer
-- verified are written.
CREATE TABLE wxpay_platform_cert (
    serial_no       VARCHAR(64)  PRIMARY KEY,
    certificate     TEXT         NOT NULL,
    effective_time  timestamptz  NOT NULL,
    expire_time     timestamptz  NOT NULL,
    first_seen_at   timestamptz  NOT NULL,
    last_seen_at    timestamptz  NOT NULL,

    CONSTRAINT chk_wpc_serial CHECK (serial_no ~ '^[0-9A-F]{1,64}$'),
    CONSTRAINT chk_wpc_pem    CHECK (certificate LIKE '-----BEGIN CERTIFICATE-----%'),
    CONSTRAINT chk_wpc_dates  CHECK (expire_time > effective_time)
);

CREATE INDEX idx_wpc_expire ON wxpay_platform_cert (expire_time);

COMMENT ON TABLE  wxpay_platform_cert IS '微信支付平台证书（未切换到微信支付公钥的商户用它验签应答和回调；由 wxpay-certs 任务下载、解密、验签后保存，过期即删除）';
COMMENT ON COLUMN wxpay_platform_cert.serial_no IS '证书序列号（大写十六进制，即 Wechatpay-Serial）';
COMMENT ON COLUMN wxpay_platform_cert.certificate IS '证书 PEM（已用 APIv3 密钥解密）';
COMMENT ON COLUMN wxpay_platform_cert.effective_time IS '生效时间';
COMMENT ON COLUMN wxpay_platform_cert.expire_time IS '过期时间';
COMMENT ON COLUMN wxpay_platform_cert.first_seen_at IS '首次下载时间';
COMMENT ON COLUMN wxpay_platform_cert.last_seen_at IS '最近一次在证书列表中出现的时间';

-- One row: when an unknown certificate serial last asked for a refresh.  A claim is one
-- UPDATE … WHERE requested_at is older than a minute, so two processes never both refresh.
CREATE TABLE wxpay_cert_refresh (
    id            SMALLINT     PRIMARY KEY DEFAULT 1,
    requested_at  timestamptz,
    serial_no     VARCHAR(64),

    CONSTRAINT chk_wcr_single_row CHECK (id = 1)
);

INSERT INTO wxpay_cert_refresh (id) VALUES (1);

COMMENT ON TABLE  wxpay_cert_refresh IS '未知证书序列号触发的证书刷新（每分钟至多一次）';
COMMENT ON COLUMN wxpay_cert_refresh.requested_at IS '最近一次因未知序列号请求刷新的时间';
COMMENT ON COLUMN wxpay_cert_refresh.serial_no IS '触发刷新的序列号';

-- A staff member whose WeCom userid WeCom refused (the notify job records it; the 系统配置
-- page lists them).  Changing the userid clears the mark: the new one has not failed yet.
ALTER TABLE system_user
    ADD COLUMN wecom_invalid     VARCHAR(20),
    ADD COLUMN wecom_invalid_at  timestamptz,
    ADD CONSTRAINT chk_su_wecom_invalid
        CHECK (wecom_invalid IS NULL OR wecom_invalid IN ('invaliduser', 'unlicenseduser'));

COMMENT ON COLUMN system_user.wecom_invalid IS '企业微信拒收原因: invaliduser-userid 不存在, unlicenseduser-未分配许可；修改 userid 时清空';
COMMENT ON COLUMN system_user.wecom_invalid_at IS '企业微信拒收时间';

CREATE FUNCTION trg_su_wecom_userid_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.wecom_userid IS DISTINCT FROM OLD.wecom_userid THEN
        NEW.wecom_invalid := NULL;
        NEW.wecom_invalid_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER su_wecom_userid_changed BEFORE UPDATE OF wecom_userid ON system_user
    FOR EACH ROW EXECUTE FUNCTION trg_su_wecom_userid_changed();
