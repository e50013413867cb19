-- Rollups of what campaign reports count (schema/tap-rollups.ts), kept by statement triggers in the
-- writer's transaction, and built once from the taps and claims already settled.
--> statement-breakpoint
CREATE FUNCTION "tap_rollups_from_redemptions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A screen's writers share its lock; a proof-of-play period takes it alone, so a tap and the period that
  -- rates it never miss each other in two concurrent transactions.
  IF TG_OP = 'INSERT' THEN
    PERFORM count(pg_advisory_xact_lock_shared(1381257777, k))
      FROM (SELECT DISTINCT (screen_id % 2147483647)::int AS k FROM new_rows ORDER BY 1) s;
    INSERT INTO "tap_rollups" AS t (campaign_id, tap_day, screen_id, city, path, taps, rated_taps, cash_fen, coupons)
    SELECT campaign_id, tap_day, screen_id, city, path, sum(taps), sum(rated_taps), sum(cash_fen), sum(coupons)
    FROM (
      SELECT r.campaign_id, r.tap_day, r.screen_id, r.city, 'tap'::text AS path, r.s AS taps,
             CASE WHEN EXISTS (SELECT 1 FROM "play_reports" p WHERE p.screen_id = r.screen_id
                    AND p.period_start <= r.tap_ts AND p.period_start > r.tap_ts - 3600 AND r.tap_ts < p.period_end)
               THEN r.s ELSE 0 END AS rated_taps,
             CASE WHEN r.status IN ('credited', 'released') THEN r.s * r.amount_fen ELSE 0 END AS cash_fen,
             CASE WHEN r.status IN ('credited', 'released') AND r.coupon_offer_id IS NOT NULL THEN r.s ELSE 0 END AS coupons
      FROM (SELECT screen_id, campaign_id, status, amount_fen, coupon_offer_id, tap_ts, tap_day, city, 1 AS s FROM new_rows) r
      WHERE r.status IN ('credited', 'released', 'held') AND r.campaign_id IS NOT NULL
    ) d
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(taps) <> 0 OR sum(rated_taps) <> 0 OR sum(cash_fen) <> 0 OR sum(coupons) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (campaign_id, tap_day, screen_id, city, path) DO UPDATE SET
      taps = t.taps + excluded.taps, rated_taps = t.rated_taps + excluded.rated_taps,
      cash_fen = t.cash_fen + excluded.cash_fen, coupons = t.coupons + excluded.coupons;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM count(pg_advisory_xact_lock_shared(1381257777, k))
      FROM (SELECT DISTINCT (screen_id % 2147483647)::int AS k FROM (SELECT screen_id FROM new_rows UNION SELECT screen_id FROM old_rows) u ORDER BY 1) s;
    INSERT INTO "tap_rollups" AS t (campaign_id, tap_day, screen_id, city, path, taps, rated_taps, cash_fen, coupons)
    SELECT campaign_id, tap_day, screen_id, city, path, sum(taps), sum(rated_taps), sum(cash_fen), sum(coupons)
    FROM (
      SELECT r.campaign_id, r.tap_day, r.screen_id, r.city, 'tap'::text AS path, r.s AS taps,
             CASE WHEN EXISTS (SELECT 1 FROM "play_reports" p WHERE p.screen_id = r.screen_id
                    AND p.period_start <= r.tap_ts AND p.period_start > r.tap_ts - 3600 AND r.tap_ts < p.period_end)
               THEN r.s ELSE 0 END AS rated_taps,
             CASE WHEN r.status IN ('credited', 'released') THEN r.s * r.amount_fen ELSE 0 END AS cash_fen,
             CASE WHEN r.status IN ('credited', 'released') AND r.coupon_offer_id IS NOT NULL THEN r.s ELSE 0 END AS coupons
      FROM (SELECT screen_id, campaign_id, status, amount_fen, coupon_offer_id, tap_ts, tap_day, city, -1 AS s FROM old_rows UNION ALL SELECT screen_id, campaign_id, status, amount_fen, coupon_offer_id, tap_ts, tap_day, city, 1 AS s FROM new_rows) r
      WHERE r.status IN ('credited', 'released', 'held') AND r.campaign_id IS NOT NULL
    ) d
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(taps) <> 0 OR sum(rated_taps) <> 0 OR sum(cash_fen) <> 0 OR sum(coupons) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (campaign_id, tap_day, screen_id, city, path) DO UPDATE SET
      taps = t.taps + excluded.taps, rated_taps = t.rated_taps + excluded.rated_taps,
      cash_fen = t.cash_fen + excluded.cash_fen, coupons = t.coupons + excluded.coupons;
  ELSE
    PERFORM count(pg_advisory_xact_lock_shared(1381257777, k))
      FROM (SELECT DISTINCT (screen_id % 2147483647)::int AS k FROM old_rows ORDER BY 1) s;
    INSERT INTO "tap_rollups" AS t (campaign_id, tap_day, screen_id, city, path, taps, rated_taps, cash_fen, coupons)
    SELECT campaign_id, tap_day, screen_id, city, path, sum(taps), sum(rated_taps), sum(cash_fen), sum(coupons)
    FROM (
      SELECT r.campaign_id, r.tap_day, r.screen_id, r.city, 'tap'::text AS path, r.s AS taps,
             CASE WHEN EXISTS (SELECT 1 FROM "play_reports" p WHERE p.screen_id = r.screen_id
                    AND p.period_start <= r.tap_ts AND p.period_start > r.tap_ts - 3600 AND r.tap_ts < p.period_end)
               THEN r.s ELSE 0 END AS rated_taps,
             CASE WHEN r.status IN ('credited', 'released') THEN r.s * r.amount_fen ELSE 0 END AS cash_fen,
             CASE WHEN r.status IN ('credited', 'released') AND r.coupon_offer_id IS NOT NULL THEN r.s ELSE 0 END AS coupons
      FROM (SELECT screen_id, campaign_id, status, amount_fen, coupon_offer_id, tap_ts, tap_day, city, -1 AS s FROM old_rows) r
      WHERE r.status IN ('credited', 'released', 'held') AND r.campaign_id IS NOT NULL
    ) d
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(taps) <> 0 OR sum(rated_taps) <> 0 OR sum(cash_fen) <> 0 OR sum(coupons) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (campaign_id, tap_day, screen_id, city, path) DO UPDATE SET
      taps = t.taps + excluded.taps, rated_taps = t.rated_taps + excluded.rated_taps,
      cash_fen = t.cash_fen + excluded.cash_fen, coupons = t.coupons + excluded.coupons;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "tap_rollups_from_claims"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A screen's writers share its lock; a proof-of-play period takes it alone, so a tap and the period that
  -- rates it never miss each other in two concurrent transactions.
  IF TG_OP = 'INSERT' THEN
    PERFORM count(pg_advisory_xact_lock_shared(1381257777, k))
      FROM (SELECT DISTINCT (screen_id % 2147483647)::int AS k FROM new_rows ORDER BY 1) s;
    INSERT INTO "tap_rollups" AS t (campaign_id, tap_day, screen_id, city, path, taps, rated_taps, cash_fen, coupons)
    SELECT campaign_id, tap_day, screen_id, city, path, sum(taps), sum(rated_taps), sum(cash_fen), sum(coupons)
    FROM (
      SELECT r.campaign_id, r.tap_day, r.screen_id, r.city, r.path AS path, r.s AS taps,
             CASE WHEN EXISTS (SELECT 1 FROM "play_reports" p WHERE p.screen_id = r.screen_id
                    AND p.period_start <= r.tap_ts AND p.period_start > r.tap_ts - 3600 AND r.tap_ts < p.period_end)
               THEN r.s ELSE 0 END AS rated_taps,
             CASE WHEN r.status IN ('credited', 'released') THEN r.s * r.amount_fen ELSE 0 END AS cash_fen,
             CASE WHEN r.status IN ('credited', 'released') AND r.coupon_offer_id IS NOT NULL THEN r.s ELSE 0 END AS coupons
      FROM (SELECT screen_id, campaign_id, status, amount_fen, coupon_offer_id, tap_ts, tap_day, city, path, 1 AS s FROM new_rows) r
      WHERE r.status IN ('credited', 'released', 'held') AND r.campaign_id IS NOT NULL
    ) d
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(taps) <> 0 OR sum(rated_taps) <> 0 OR sum(cash_fen) <> 0 OR sum(coupons) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (campaign_id, tap_day, screen_id, city, path) DO UPDATE SET
      taps = t.taps + excluded.taps, rated_taps = t.rated_taps + excluded.rated_taps,
      cash_fen = t.cash_fen + excluded.cash_fen, coupons = t.coupons + excluded.coupons;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM count(pg_advisory_xact_lock_shared(1381257777, k))
      FROM (SELECT DISTINCT (screen_id % 2147483647)::int AS k FROM (SELECT screen_id FROM new_rows UNION SELECT screen_id FROM old_rows) u ORDER BY 1) s;
    INSERT INTO "tap_rollups" AS t (campaign_id, tap_day, screen_id, city, path, taps, rated_taps, cash_fen, coupons)
    SELECT campaign_id, tap_day, screen_id, city, path, sum(taps), sum(rated_taps), sum(cash_fen), sum(coupons)
    FROM (
      SELECT r.campaign_id, r.tap_day, r.screen_id, r.city, r.path AS path, r.s AS taps,
             CASE WHEN EXISTS (SELECT 1 FROM "play_reports" p WHERE p.screen_id = r.screen_id
                    AND p.period_start <= r.tap_ts AND p.period_start > r.tap_ts - 3600 AND r.tap_ts < p.period_end)
               THEN r.s ELSE 0 END AS rated_taps,
             CASE WHEN r.status IN ('credited', 'released') THEN r.s * r.amount_fen ELSE 0 END AS cash_fen,
             CASE WHEN r.status IN ('credited', 'released') AND r.coupon_offer_id IS NOT NULL THEN r.s ELSE 0 END AS coupons
      FROM (SELECT screen_id, campaign_id, status, amount_fen, coupon_offer_id, tap_ts, tap_day, city, path, -1 AS s FROM old_rows UNION ALL SELECT screen_id, campaign_id, status, amount_fen, coupon_offer_id, tap_ts, tap_day, city, path, 1 AS s FROM new_rows) r
      WHERE r.status IN ('credited', 'released', 'held') AND r.campaign_id IS NOT NULL
    ) d
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(taps) <> 0 OR sum(rated_taps) <> 0 OR sum(cash_fen) <> 0 OR sum(coupons) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (campaign_id, tap_day, screen_id, city, path) DO UPDATE SET
      taps = t.taps + excluded.taps, rated_taps = t.rated_taps + excluded.rated_taps,
      cash_fen = t.cash_fen + excluded.cash_fen, coupons = t.coupons + excluded.coupons;
  ELSE
    PERFORM count(pg_advisory_xact_lock_shared(1381257777, k))
      FROM (SELECT DISTINCT (screen_id % 2147483647)::int AS k FROM old_rows ORDER BY 1) s;
    INSERT INTO "tap_rollups" AS t (campaign_id, tap_day, screen_id, city, path, taps, rated_taps, cash_fen, coupons)
    SELECT campaign_id, tap_day, screen_id, city, path, sum(taps), sum(rated_taps), sum(cash_fen), sum(coupons)
    FROM (
      SELECT r.campaign_id, r.tap_day, r.screen_id, r.city, r.path AS path, r.s AS taps,
             CASE WHEN EXISTS (SELECT 1 FROM "play_reports" p WHERE p.screen_id = r.screen_id
                    AND p.period_start <= r.tap_ts AND p.period_start > r.tap_ts - 3600 AND r.tap_ts < p.period_end)
               THEN r.s ELSE 0 END AS rated_taps,
             CASE WHEN r.status IN ('credited', 'released') THEN r.s * r.amount_fen ELSE 0 END AS cash_fen,
             CASE WHEN r.status IN ('credited', 'released') AND r.coupon_offer_id IS NOT NULL THEN r.s ELSE 0 END AS coupons
      FROM (SELECT screen_id, campaign_id, status, amount_fen, coupon_offer_id, tap_ts, tap_day, city, path, -1 AS s FROM old_rows) r
      WHERE r.status IN ('credited', 'released', 'held') AND r.campaign_id IS NOT NULL
    ) d
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(taps) <> 0 OR sum(rated_taps) <> 0 OR sum(cash_fen) <> 0 OR sum(coupons) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (campaign_id, tap_day, screen_id, city, path) DO UPDATE SET
      taps = t.taps + excluded.taps, rated_taps = t.rated_taps + excluded.rated_taps,
      cash_fen = t.cash_fen + excluded.cash_fen, coupons = t.coupons + excluded.coupons;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "tap_rollups_from_play_reports"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Periods of one screen never overlap (proof-of-play.ts refuses it), so a tap is rated by one at most.
  IF TG_OP = 'INSERT' THEN
    PERFORM count(pg_advisory_xact_lock(1381257777, k))
      FROM (SELECT DISTINCT (screen_id % 2147483647)::int AS k FROM new_rows ORDER BY 1) s;
    INSERT INTO "tap_rollups" AS t (campaign_id, tap_day, screen_id, city, path, taps, rated_taps, cash_fen, coupons)
    SELECT campaign_id, tap_day, screen_id, city, path, sum(taps), sum(rated_taps), sum(cash_fen), sum(coupons)
    FROM (
      SELECT r.campaign_id, r.tap_day, r.screen_id, r.city, 'tap'::text AS path, 0 AS taps, p.s AS rated_taps,
             0 AS cash_fen, 0 AS coupons
      FROM (SELECT screen_id, period_start, period_end, 1 AS s FROM new_rows) p JOIN "redemptions" r ON r.screen_id = p.screen_id
        AND r.tap_ts >= p.period_start AND r.tap_ts < p.period_end
      WHERE r.status IN ('credited', 'released', 'held') AND r.campaign_id IS NOT NULL
      UNION ALL
      SELECT r.campaign_id, r.tap_day, r.screen_id, r.city, r.path AS path, 0 AS taps, p.s AS rated_taps,
             0 AS cash_fen, 0 AS coupons
      FROM (SELECT screen_id, period_start, period_end, 1 AS s FROM new_rows) p JOIN "claims" r ON r.screen_id = p.screen_id
        AND r.tap_ts >= p.period_start AND r.tap_ts < p.period_end
      WHERE r.status IN ('credited', 'released', 'held') AND r.campaign_id IS NOT NULL
    ) d
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(taps) <> 0 OR sum(rated_taps) <> 0 OR sum(cash_fen) <> 0 OR sum(coupons) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (campaign_id, tap_day, screen_id, city, path) DO UPDATE SET
      taps = t.taps + excluded.taps, rated_taps = t.rated_taps + excluded.rated_taps,
      cash_fen = t.cash_fen + excluded.cash_fen, coupons = t.coupons + excluded.coupons;
  ELSE
    PERFORM count(pg_advisory_xact_lock(1381257777, k))
      FROM (SELECT DISTINCT (screen_id % 2147483647)::int AS k FROM old_rows ORDER BY 1) s;
    INSERT INTO "tap_rollups" AS t (campaign_id, tap_day, screen_id, city, path, taps, rated_taps, cash_fen, coupons)
    SELECT campaign_id, tap_day, screen_id, city, path, sum(taps), sum(rated_taps), sum(cash_fen), sum(coupons)
    FROM (
      SELECT r.campaign_id, r.tap_day, r.screen_id, r.city, 'tap'::text AS path, 0 AS taps, p.s AS rated_taps,
             0 AS cash_fen, 0 AS coupons
      FROM (SELECT screen_id, period_start, period_end, -1 AS s FROM old_rows) p JOIN "redemptions" r ON r.screen_id = p.screen_id
        AND r.tap_ts >= p.period_start AND r.tap_ts < p.period_end
      WHERE r.status IN ('credited', 'released', 'held') AND r.campaign_id IS NOT NULL
      UNION ALL
      SELECT r.campaign_id, r.tap_day, r.screen_id, r.city, r.path AS path, 0 AS taps, p.s AS rated_taps,
             0 AS cash_fen, 0 AS coupons
      FROM (SELECT screen_id, period_start, period_end, -1 AS s FROM old_rows) p JOIN "claims" r ON r.screen_id = p.screen_id
        AND r.tap_ts >= p.period_start AND r.tap_ts < p.period_end
      WHERE r.status IN ('credited', 'released', 'held') AND r.campaign_id IS NOT NULL
    ) d
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(taps) <> 0 OR sum(rated_taps) <> 0 OR sum(cash_fen) <> 0 OR sum(coupons) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (campaign_id, tap_day, screen_id, city, path) DO UPDATE SET
      taps = t.taps + excluded.taps, rated_taps = t.rated_taps + excluded.rated_taps,
      cash_fen = t.cash_fen + excluded.cash_fen, coupons = t.coupons + excluded.coupons;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "redemptions_rollups_insert" AFTER INSERT ON "redemptions"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "tap_rollups_from_redemptions"();
--> statement-breakpoint
CREATE TRIGGER "redemptions_rollups_update" AFTER UPDATE ON "redemptions"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "tap_rollups_from_redemptions"();
--> statement-breakpoint
CREATE TRIGGER "redemptions_rollups_delete" AFTER DELETE ON "redemptions"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "tap_rollups_from_redemptions"();
--> statement-breakpoint
CREATE TRIGGER "claims_rollups_insert" AFTER INSERT ON "claims"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "tap_rollups_from_claims"();
--> statement-breakpoint
CREATE TRIGGER "claims_rollups_update" AFTER UPDATE ON "claims"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "tap_rollups_from_claims"();
--> statement-breakpoint
CREATE TRIGGER "claims_rollups_delete" AFTER DELETE ON "claims"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "tap_rollups_from_claims"();
--> statement-breakpoint
CREATE TRIGGER "play_reports_rollups_insert" AFTER INSERT ON "play_reports"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "tap_rollups_from_play_reports"();
--> statement-breakpoint
CREATE TRIGGER "play_reports_rollups_delete" AFTER DELETE ON "play_reports"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "tap_rollups_from_play_reports"();
--> statement-breakpoint
INSERT INTO "tap_rollups" AS t (campaign_id, tap_day, screen_id, city, path, taps, rated_taps, cash_fen, coupons)
    SELECT campaign_id, tap_day, screen_id, city, path, sum(taps), sum(rated_taps), sum(cash_fen), sum(coupons)
    FROM (
      SELECT r.campaign_id, r.tap_day, r.screen_id, r.city, 'tap'::text AS path, r.s AS taps,
             CASE WHEN EXISTS (SELECT 1 FROM "play_reports" p WHERE p.screen_id = r.screen_id
                    AND p.period_start <= r.tap_ts AND p.period_start > r.tap_ts - 3600 AND r.tap_ts < p.period_end)
               THEN r.s ELSE 0 END AS rated_taps,
             CASE WHEN r.status IN ('credited', 'released') THEN r.s * r.amount_fen ELSE 0 END AS cash_fen,
             CASE WHEN r.status IN ('credited', 'released') AND r.coupon_offer_id IS NOT NULL THEN r.s ELSE 0 END AS coupons
      FROM (SELECT screen_id, campaign_id, status, amount_fen, coupon_offer_id, tap_ts, tap_day, city, 1 AS s FROM redemptions) r
      WHERE r.status IN ('credited', 'released', 'held') AND r.campaign_id IS NOT NULL
      UNION ALL
      SELECT r.campaign_id, r.tap_day, r.screen_id, r.city, r.path AS path, r.s AS taps,
             CASE WHEN EXISTS (SELECT 1 FROM "play_reports" p WHERE p.screen_id = r.screen_id
                    AND p.period_start <= r.tap_ts AND p.period_start > r.tap_ts - 3600 AND r.tap_ts < p.period_end)
               THEN r.s ELSE 0 END AS rated_taps,
             CASE WHEN r.status IN ('credited', 'released') THEN r.s * r.amount_fen ELSE 0 END AS cash_fen,
             CASE WHEN r.status IN ('credited', 'released') AND r.coupon_offer_id IS NOT NULL THEN r.s ELSE 0 END AS coupons
      FROM (SELECT screen_id, campaign_id, status, amount_fen, coupon_offer_id, tap_ts, tap_day, city, path, 1 AS s FROM claims) r
      WHERE r.status IN ('credited', 'released', 'held') AND r.campaign_id IS NOT NULL
    ) d
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(taps) <> 0 OR sum(rated_taps) <> 0 OR sum(cash_fen) <> 0 OR sum(coupons) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (campaign_id, tap_day, screen_id, city, path) DO UPDATE SET
      taps = t.taps + excluded.taps, rated_taps = t.rated_taps + excluded.rated_taps,
      cash_fen = t.cash_fen + excluded.cash_fen, coupons = t.coupons + excluded.coupons;
