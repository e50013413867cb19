ALTER TABLE "ledger_transfers" DROP CONSTRAINT "ledger_transfers_debit_account_id_ledger_accounts_id_fk";
--> statement-breakpoint
ALTER TABLE "ledger_transfers" DROP CONSTRAINT "ledger_transfers_credit_account_id_ledger_accounts_id_fk";
--> statement-breakpoint
CREATE FUNCTION "ledger_accounts_keep_posted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.debits_posted_fen <> 0 OR OLD.credits_posted_fen <> 0 THEN
    RAISE EXCEPTION 'ledger account % has postings and cannot be deleted', OLD.id USING ERRCODE = '23503';
  END IF;
  RETURN OLD;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "ledger_accounts_keep_posted" BEFORE DELETE ON "ledger_accounts"
  FOR EACH ROW EXECUTE FUNCTION "ledger_accounts_keep_posted"();
