-- 010_speed.sql: what issue #18 (speed) needs from the schema.

-- =====================================================================================
-- camp-web keeps rendered H5 pages (训练营列表, the camp page) per process until the data
-- under them changes.  Every change that can alter them notifies channel h5_pages in its own
-- transaction, so listeners hear of it on commit: any change of a camp (its text, dates,
-- status, capacity, member count: payments bump member_count in the same transaction), and
-- any change of a pending order of a camp with a capacity (held seats).  The orders that
-- expire by time alone need no notice: a page lives no longer than its earliest expiry.
-- Notices of one transaction collapse into one.
-- =====================================================================================

CREATE FUNCTION notify_h5_pages()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('h5_pages', '');
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION notify_h5_pages() IS 'H5 页面缓存失效通知：训练营变化时 NOTIFY h5_pages';

-- held seats are counted only where the camp has a capacity
CREATE FUNCTION notify_h5_pages_held_seat()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM training_camp c
               WHERE c.id IN (NEW.camp_id, OLD.camp_id) AND c.capacity IS NOT NULL) THEN
        PERFORM pg_notify('h5_pages', '');
    END IF;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION notify_h5_pages_held_seat() IS 'H5 页面缓存失效通知：有名额限制的训练营的待支付订单变化时 NOTIFY h5_pages';

CREATE TRIGGER trg_training_camp_h5_pages AFTER INSERT OR UPDATE OR DELETE ON training_camp
    FOR EACH ROW EXECUTE FUNCTION notify_h5_pages();
CREATE TRIGGER trg_training_camp_h5_pages_truncate AFTER TRUNCATE ON training_camp
    FOR EACH STATEMENT EXECUTE FUNCTION notify_h5_pages();
CREATE TRIGGER trg_payment_record_h5_pages_insert AFTER INSERT ON payment_record
    FOR EACH ROW WHEN (NEW.pay_status = 'pending') EXECUTE FUNCTION notify_h5_pages_held_seat();
CREATE TRIGGER trg_payment_record_h5_pages_update AFTER UPDATE ON payment_record
    FOR EACH ROW WHEN ((OLD.pay_status = 'pending' OR NEW.pay_status = 'pending') AND (
        OLD.pay_status IS DISTINCT FROM NEW.pay_status OR OLD.time_expire IS DISTINCT FROM NEW.time_expire
        OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.camp_id IS DISTINCT FROM NEW.camp_id))
    EXECUTE FUNCTION notify_h5_pages_held_seat();
