-- ehplan hub, migration 1: desks, runs, records, alarms, roles, row-level
-- security and the in-database chain check. Applied once, in a transaction, by
-- `ehplan hub init`; recorded in ehplan.schema_migrations.

CREATE SCHEMA IF NOT EXISTS ehplan;

-- Group roles: every desk's login role is a member of ehplan_desk, every
-- board's and auditor's of ehplan_reader. Created here if missing (roles are
-- cluster-wide, so a second hub database on the same server shares them).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ehplan_desk') THEN
        CREATE ROLE ehplan_desk NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ehplan_reader') THEN
        CREATE ROLE ehplan_reader NOLOGIN;
    END IF;
END
$$;

CREATE TABLE ehplan.desks (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    role        name NOT NULL UNIQUE,
    place       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The HMAC key of a desk that writes keyed logs, as the two padded keys of
-- HMAC-SHA256 (key xor ipad, key xor opad): readable by the hub's owner only.
CREATE TABLE ehplan.desk_keys (
    desk  text PRIMARY KEY REFERENCES ehplan.desks (name),
    ipad  bytea NOT NULL CHECK (length(ipad) = 64),
    opad  bytea NOT NULL CHECK (length(opad) = 64)
);

-- Every record of every run, with its raw line exactly as in the desk's file.
CREATE TABLE ehplan.records (
    desk         text NOT NULL,
    run          text NOT NULL,
    seq          bigint NOT NULL,
    file         text,            -- the run file's name, given with seq 0 only
    line         text NOT NULL,   -- the line without its newline
    hash         text NOT NULL,
    prev         text NOT NULL,
    type         text NOT NULL,
    ts           timestamptz NOT NULL,
    verified     boolean NOT NULL, -- false: an HMAC line the hub holds no key for
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (desk, run, seq)
);

-- One row per run, kept by the statement trigger: what the board and `runs` list.
CREATE TABLE ehplan.runs (
    desk        text NOT NULL,
    run         text NOT NULL,
    file        text NOT NULL,
    started_at  timestamptz NOT NULL,
    mode        text NOT NULL,
    operator    text NOT NULL,
    playbook    text NOT NULL,
    last_seq    bigint NOT NULL,
    last_hash   text NOT NULL,
    last_type   text NOT NULL,
    last_ts     timestamptz NOT NULL,
    ended       boolean NOT NULL,
    verified    boolean NOT NULL,
    PRIMARY KEY (desk, run)
);
CREATE INDEX runs_open ON ehplan.runs (started_at) WHERE NOT ended;
CREATE INDEX runs_started ON ehplan.runs (started_at);

-- A second, different version of a stored record (or what follows it): refused,
-- and recorded here. A run with an alarm takes no more records.
CREATE TABLE ehplan.alarms (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    desk          text NOT NULL,
    run           text NOT NULL,
    seq           bigint NOT NULL,
    stored_hash   text,
    offered_line  text NOT NULL,
    reason        text NOT NULL
);
CREATE INDEX alarms_run ON ehplan.alarms (desk, run);

-- The desk the session's login role belongs to (NULL for anyone else).
CREATE FUNCTION ehplan.current_desk() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, ehplan AS $$
    SELECT name FROM ehplan.desks WHERE role = session_user
$$;

-- History cannot be rewritten: no UPDATE, DELETE or TRUNCATE, whoever asks
-- (the owner included; only a superuser disabling the trigger could).
CREATE FUNCTION ehplan.refuse_rewrite() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ehplan hub: % on %.% refused: shipped records are never changed',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER records_no_rewrite BEFORE UPDATE OR DELETE OR TRUNCATE ON ehplan.records
    FOR EACH STATEMENT EXECUTE FUNCTION ehplan.refuse_rewrite();
CREATE TRIGGER alarms_no_rewrite BEFORE UPDATE OR DELETE OR TRUNCATE ON ehplan.alarms
    FOR EACH STATEMENT EXECUTE FUNCTION ehplan.refuse_rewrite();

-- The chain check, on every row inserted (docs/audit-format.md):
--  * the line is one record in canonical form, as far as is cheap to check
--    here: ASCII, valid JSON, the eleven members in their sorted order with
--    nothing between them, each of its form (v 1, seq an integer, hex hashes,
--    mode, alg, run id, timestamp), and no escape Python's canonical form would
--    not write; the key order, spacing and numbers *inside* data are left to
--    the file verifiers, which `ehplan hub export` feeds (the hash covers those
--    exact bytes, so they cannot change after);
--  * its hash is SHA-256 (HMAC-SHA256 with the desk's key, when the hub holds
--    it) of the line with its hash member cut out, as the file verifier does;
--  * seq is 0 with prev the genesis hash, or the stored last seq + 1 with prev
--    the stored last hash;
--  * a seq already stored: the same line again is skipped (idempotent), a
--    different one is refused and recorded as an alarm, and the run takes no
--    more records.
-- Anything else raises, and the whole statement is refused.
-- No SET search_path on this one (a SET clause costs on every row): every name
-- in it is schema-qualified or pg_catalog's, which is always searched first.
CREATE FUNCTION ehplan.check_record() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    at        int;
    head      text;
    data_text text;
    tail      json;
    alg       text;
    body      bytea;
    computed  text;
    last_seq  bigint;
    last_hash text;
    stored    text;
    run_key   text;
    cached    text;
    k         ehplan.desk_keys%ROWTYPE;
BEGIN
    -- Every step below is a plain expression (no query per row: those cost
    -- far more than the checks). The record's own hash member is the last
    -- ,"hash":" of the line (data comes before it; the strings after it
    -- cannot hold an unescaped quote): the head before it is the algorithm
    -- and data, the tail from it the other nine members.
    IF octet_length(NEW.line) <> length(NEW.line) THEN
        RAISE EXCEPTION 'ehplan hub: line is not ASCII' USING ERRCODE = 'check_violation';
    END IF;
    at := length(NEW.line) - strpos(reverse(NEW.line), '":"hsah",') - 7;
    IF at < 1 OR strpos(reverse(NEW.line), '":"hsah",') = 0 THEN
        RAISE EXCEPTION 'ehplan hub: not an audit record (no hash member)' USING ERRCODE = 'check_violation';
    END IF;
    head := left(NEW.line, at - 1);
    IF starts_with(head, '{"alg":"sha256","data":') THEN
        alg := 'sha256';
        data_text := substr(head, 24);
    ELSIF starts_with(head, '{"alg":"hmac-sha256","data":') THEN
        alg := 'hmac-sha256';
        data_text := substr(head, 29);
    ELSE
        RAISE EXCEPTION 'ehplan hub: not an audit record in canonical form (alg, then data)'
            USING ERRCODE = 'check_violation';
    END IF;
    -- Not valid JSON: the casts raise PostgreSQL's own error (no handler: an
    -- exception block would cost a subtransaction on every row).
    tail := ('{' || substr(NEW.line, at + 1))::json;
    IF json_typeof(data_text::json) <> 'object' THEN
        RAISE EXCEPTION 'ehplan hub: data is not an object' USING ERRCODE = 'check_violation';
    END IF;
    -- The nine members after data, in sorted order, nothing between them: the
    -- tail rebuilt from its members' own texts must be exactly the line's.
    IF ',"hash":' || (tail->'hash')::text || ',"mode":' || (tail->'mode')::text
       || ',"operator":' || (tail->'operator')::text || ',"prev":' || (tail->'prev')::text
       || ',"run":' || (tail->'run')::text || ',"seq":' || (tail->'seq')::text || ',"ts":' || (tail->'ts')::text
       || ',"type":' || (tail->'type')::text || ',"v":' || (tail->'v')::text || '}'
       IS DISTINCT FROM substr(NEW.line, at) THEN
        RAISE EXCEPTION 'ehplan hub: not an audit record in canonical form (its eleven members, in order)'
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.hash := tail->>'hash';
    NEW.prev := tail->>'prev';
    NEW.run := tail->>'run';
    IF length(NEW.hash) <> 64 OR NEW.hash !~ '^[0-9a-f]+$' OR length(NEW.prev) <> 64 OR NEW.prev !~ '^[0-9a-f]+$'
       OR tail->>'mode' NOT IN ('live', 'drill') OR json_typeof(tail->'operator') <> 'string'
       OR json_typeof(tail->'run') <> 'string' OR length(NEW.run) > 128 OR NEW.run !~ '^[A-Za-z0-9][A-Za-z0-9._-]*$'
       OR (tail->'seq')::text !~ '^(0|[1-9][0-9]{0,17})$' OR json_typeof(tail->'type') <> 'string'
       OR (tail->'ts')::text !~ '^"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"$'
       OR (tail->'v')::text <> '1' THEN
        RAISE EXCEPTION 'ehplan hub: not an audit record (a member of the wrong form)' USING ERRCODE = 'check_violation';
    END IF;
    -- Inside the strings: only the escapes Python's canonical form writes.
    IF strpos(NEW.line, '\') > 0
       AND NEW.line ~ '(^|[^\\])(\\\\)*\\([^"\\bfnrtu]|u([0-9a-f]{0,3}[^0-9a-f]|000[89acd]|00[2-6][0-9a-f]|007[0-9a-e]))' THEN
        RAISE EXCEPTION 'ehplan hub: line is not in canonical form (an escape Python would not write)'
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.seq := (tail->>'seq')::bigint;
    NEW.ts := (tail->>'ts')::timestamptz;
    NEW.type := tail->>'type';

    -- The hash is over the line without its hash member, as the file verifier computes it.
    body := convert_to(head || substr(NEW.line, at + 74), 'UTF8');
    IF alg = 'hmac-sha256' THEN
        SELECT * INTO k FROM ehplan.desk_keys WHERE desk = NEW.desk;
        IF FOUND THEN
            computed := encode(sha256(k.opad || sha256(k.ipad || body)), 'hex');
            NEW.verified := true;
        ELSE
            computed := NEW.hash;  -- no key here: stored on its chain links alone, flagged
            NEW.verified := false;
        END IF;
    ELSE
        computed := encode(sha256(body), 'hex');
        NEW.verified := true;
    END IF;
    IF computed <> NEW.hash THEN
        RAISE EXCEPTION 'ehplan hub: hash mismatch at seq % of run %', NEW.seq, NEW.run
            USING ERRCODE = 'check_violation';
    END IF;

    -- The last stored record of the run: remembered from the row before when this
    -- transaction stored it (a batch), else looked up under a lock on the run,
    -- so that no other writer can move it until this transaction ends.
    run_key := NEW.desk || '/' || NEW.run;
    cached := current_setting('ehplan.last_stored', true);
    IF cached IS NOT NULL AND split_part(cached, ' ', 1) = run_key THEN
        last_seq := split_part(cached, ' ', 2)::bigint;
        last_hash := split_part(cached, ' ', 3);
    ELSE
        PERFORM pg_advisory_xact_lock(hashtextextended(run_key, 0));
        SELECT r.seq, r.hash INTO last_seq, last_hash FROM ehplan.records r
            WHERE r.desk = NEW.desk AND r.run = NEW.run ORDER BY r.seq DESC LIMIT 1;
    END IF;

    IF last_seq IS NOT NULL AND NEW.seq <= last_seq THEN
        SELECT r.line INTO stored FROM ehplan.records r
            WHERE r.desk = NEW.desk AND r.run = NEW.run AND r.seq = NEW.seq;
        IF stored = NEW.line THEN
            RETURN NULL;  -- shipped before: stored once
        END IF;
        IF NOT EXISTS (SELECT 1 FROM ehplan.alarms a WHERE a.desk = NEW.desk AND a.run = NEW.run) THEN
            INSERT INTO ehplan.alarms (desk, run, seq, stored_hash, offered_line, reason)
            SELECT NEW.desk, NEW.run, NEW.seq, r.hash, NEW.line, 'a different version of a stored record'
              FROM ehplan.records r WHERE r.desk = NEW.desk AND r.run = NEW.run AND r.seq = NEW.seq;
            PERFORM pg_notify('ehplan_alarm', NEW.desk || ' ' || NEW.run);
        END IF;
        RETURN NULL;
    END IF;

    IF last_seq IS NULL THEN
        IF NEW.seq <> 0 THEN
            RAISE EXCEPTION 'ehplan hub: first seq of run % is %, not 0', NEW.run, NEW.seq
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.prev <> repeat('0', 64) THEN
            RAISE EXCEPTION 'ehplan hub: prev of seq 0 is not the genesis hash' USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.file IS NULL OR NEW.file !~ ('^[0-9]{8}T[0-9]{6}Z-' || replace(NEW.run, '.', '\.') || '\.jsonl$') THEN
            RAISE EXCEPTION 'ehplan hub: seq 0 of run % needs its file name', NEW.run
                USING ERRCODE = 'check_violation';
        END IF;
        cached := set_config('ehplan.last_stored', run_key || ' ' || NEW.seq || ' ' || NEW.hash, true);
        RETURN NEW;
    END IF;

    NEW.file := NULL;
    IF EXISTS (SELECT 1 FROM ehplan.alarms a WHERE a.desk = NEW.desk AND a.run = NEW.run) THEN
        RETURN NULL;  -- the run forked from what is stored: its alarm says so, nothing more is taken
    END IF;
    IF NEW.seq <> last_seq + 1 THEN
        RAISE EXCEPTION 'ehplan hub: seq % follows % in run %', NEW.seq, last_seq, NEW.run
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.prev <> last_hash THEN
        RAISE EXCEPTION 'ehplan hub: prev of seq % does not match seq %''s hash in run %', NEW.seq, last_seq, NEW.run
            USING ERRCODE = 'check_violation';
    END IF;
    cached := set_config('ehplan.last_stored', run_key || ' ' || NEW.seq || ' ' || NEW.hash, true);
    RETURN NEW;
END
$$;
CREATE TRIGGER records_check BEFORE INSERT ON ehplan.records
    FOR EACH ROW EXECUTE FUNCTION ehplan.check_record();

-- Once per statement: the runs table follows what was stored, and listeners
-- (the boards) are told which runs moved.
CREATE FUNCTION ehplan.note_runs() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, ehplan AS $$
DECLARE
    moved record;
BEGIN
    INSERT INTO ehplan.runs AS r (desk, run, file, started_at, mode, operator, playbook,
                                  last_seq, last_hash, last_type, last_ts, ended, verified)
    SELECT n.desk, n.run, n.file, n.ts, j->>'mode', j->>'operator', coalesce(j->'data'->>'playbook', ''),
           n.seq, n.hash, n.type, n.ts, n.type = 'run_ended', n.verified
      FROM new_rows n, LATERAL (SELECT n.line::jsonb AS j) parsed
     WHERE n.seq = 0
    ON CONFLICT (desk, run) DO NOTHING;
    FOR moved IN
        SELECT DISTINCT ON (n.desk, n.run) n.desk, n.run, n.seq, n.hash, n.type, n.ts,
               bool_and(n.verified) OVER (PARTITION BY n.desk, n.run) AS verified
          FROM new_rows n ORDER BY n.desk, n.run, n.seq DESC
    LOOP
        UPDATE ehplan.runs SET last_seq = moved.seq, last_hash = moved.hash, last_type = moved.type,
               last_ts = moved.ts, ended = (moved.type = 'run_ended'), verified = verified AND moved.verified
         WHERE desk = moved.desk AND run = moved.run AND last_seq < moved.seq;
        PERFORM pg_notify('ehplan_records', moved.desk || ' ' || moved.run || ' ' || moved.seq);
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER records_note_runs AFTER INSERT ON ehplan.records
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ehplan.note_runs();

-- Row-level security: a desk inserts and reads its own desk's rows only; readers read all.
ALTER TABLE ehplan.records ENABLE ROW LEVEL SECURITY;
ALTER TABLE ehplan.runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE ehplan.alarms ENABLE ROW LEVEL SECURITY;
CREATE POLICY desk_inserts_own ON ehplan.records FOR INSERT TO ehplan_desk
    WITH CHECK (desk = (SELECT ehplan.current_desk()));
CREATE POLICY desk_reads_own ON ehplan.records FOR SELECT TO ehplan_desk
    USING (desk = (SELECT ehplan.current_desk()));
CREATE POLICY desk_reads_own ON ehplan.runs FOR SELECT TO ehplan_desk
    USING (desk = (SELECT ehplan.current_desk()));
CREATE POLICY desk_reads_own ON ehplan.alarms FOR SELECT TO ehplan_desk
    USING (desk = (SELECT ehplan.current_desk()));
CREATE POLICY readers_read_all ON ehplan.records FOR SELECT TO ehplan_reader USING (true);
CREATE POLICY readers_read_all ON ehplan.runs FOR SELECT TO ehplan_reader USING (true);
CREATE POLICY readers_read_all ON ehplan.alarms FOR SELECT TO ehplan_reader USING (true);

REVOKE ALL ON ALL TABLES IN SCHEMA ehplan FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ehplan FROM PUBLIC;
GRANT USAGE ON SCHEMA ehplan TO ehplan_desk, ehplan_reader;
GRANT EXECUTE ON FUNCTION ehplan.current_desk() TO ehplan_desk, ehplan_reader;
GRANT SELECT (desk, run, seq, file, line, hash, prev, type, ts, verified, received_at) ON ehplan.records
    TO ehplan_desk, ehplan_reader;
GRANT INSERT (desk, file, line) ON ehplan.records TO ehplan_desk;
GRANT SELECT ON ehplan.runs, ehplan.alarms, ehplan.desks TO ehplan_desk, ehplan_reader;
