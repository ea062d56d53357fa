-- ehplan hub, migration 2: records go in through ehplan.ingest(file, lines), which
-- checks a desk's whole batch in a few set-based statements, instead of the
-- row trigger of migration 1 (one PL/pgSQL call per row, ~150 us a row: the
-- issue 14 target is >= 20,000 events/s and <= 2x a bare COPY).
--
-- The checks are the same ones, in the database still (docs/hub.md):
--  * each line: ASCII, valid JSON, the eleven members in their sorted order
--    with nothing between them, each of its form, no escape Python's canonical
--    form would not write, and its hash the SHA-256 (or HMAC-SHA256 with the
--    desk's key, when the hub holds it; else flagged unverified) of the line
--    without its hash member;
--  * the batch is one run's consecutive records (each seq the one before + 1,
--    each prev the hash before), and it continues what is stored: seq 0 with
--    the genesis prev and the run file's name, or the stored last seq + 1 with
--    prev the stored last hash (looked up once, under the run's advisory lock);
--  * a seq already stored: the same line again is skipped (idempotent); a
--    different one stores nothing of the batch and is recorded as an alarm
--    (and notified), and the run takes no more records.
-- A line that fails a check refuses the whole batch (an exception: nothing of it
-- is stored). A conflicting version does NOT raise: an exception would roll the
-- alarm back with the rest of the transaction, so ingest returns alarm = true
-- instead, and the alarm commits with the caller's transaction. ingest also
-- keeps ehplan.runs and notifies the boards (migration 1's statement trigger
-- note_runs did; it goes too).
--
-- Who may insert: desks lose their INSERT privilege on ehplan.records and get
-- EXECUTE on ehplan.ingest, which takes the desk from ehplan.current_desk()
-- (the session's login role), never from an argument. A statement trigger
-- refuses every other INSERT or COPY into records, the owner's included: rows
-- enter only through ingest, run by a desk's session (the session user is a
-- desk's role while the current user is the table's owner: inside ingest, a
-- SECURITY DEFINER function; a desk cannot become the owner otherwise, and no
-- setting a session could make for itself opens this door).

-- One offered line, parsed: what the phases of ingest pass along.
CREATE TYPE ehplan.offered AS (
    o         int,
    line      text,
    fault     text,     -- NULL: the line passed every check of its own
    run       text,
    seq       bigint,
    hash      text,
    prev      text,
    type      text,
    ts        timestamptz,
    verified  boolean
);

CREATE FUNCTION ehplan.ingest(file text, lines text[], OUT stored int, OUT last_seq bigint, OUT alarm boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, ehplan, pg_temp AS $$
DECLARE
    the_desk   text := ehplan.current_desk();
    k          ehplan.desk_keys%ROWTYPE;
    keyed      boolean;
    parsed     ehplan.offered[];
    n          int;
    the_run    text;
    runs_seen  bigint;
    first_bad  int;
    first_break int;
    all_verified boolean;
    last_hash  text;
    conflict   ehplan.offered;
    line_at    ehplan.offered;
    before     ehplan.offered;
    from_o     int;
    head       jsonb;
BEGIN
    IF the_desk IS NULL THEN
        RAISE EXCEPTION 'ehplan hub: only a desk''s login ingests records' USING ERRCODE = 'insufficient_privilege';
    END IF;
    stored := 0;
    alarm := false;
    n := coalesce(cardinality(lines), 0);
    IF n = 0 THEN
        RETURN;
    END IF;
    SELECT * INTO k FROM ehplan.desk_keys WHERE desk = the_desk;
    keyed := FOUND;

    -- 1. Every line on its own, in one statement. Each level (OFFSET 0 keeps
    -- the planner from copying an expression into every place that uses it)
    -- computes its expressions once per row, and each step runs only for the
    -- lines that passed the one before (CASE), so that a cast never sees what
    -- a cheaper test refused. The record's own hash member is the last
    -- ,"hash":" of the line (data comes before it; the strings after it cannot
    -- hold an unescaped quote): the head before it is the algorithm and data,
    -- the tail from it the other nine members. No regex where a plain string
    -- test says the same (PostgreSQL's regex engine costs far more).
    SELECT array_agg(ROW(f.o, f.line,
                         CASE WHEN f.fault IS NOT NULL THEN f.fault
                              WHEN f.computed <> f.hash
                                  THEN format('hash mismatch at seq %s of run %s', f.seq_text, f.run)
                         END,
                         f.run, CASE WHEN f.fault IS NULL THEN f.seq_text::bigint END, f.hash, f.prev, f.type,
                         CASE WHEN f.fault IS NULL THEN f.ts_text::timestamptz END,
                         f.alg_at = 24 OR keyed)::ehplan.offered ORDER BY f.o)
      INTO parsed
      FROM (
        -- The hash is over the line without its hash member, as the file verifier computes it.
        SELECT c.o, c.line, c.fault, c.alg_at, c.hash, c.prev, c.run, c.type, c.seq_text, c.ts_text,
               CASE WHEN c.fault IS NOT NULL THEN NULL
                    WHEN c.alg_at = 24 THEN encode(sha256(overlay(convert_to(c.line, 'UTF8') PLACING '' FROM c.at FOR 74)), 'hex')
                    WHEN keyed THEN encode(sha256(k.opad || sha256(k.ipad
                                    || overlay(convert_to(c.line, 'UTF8') PLACING '' FROM c.at FOR 74))), 'hex')
                    ELSE c.hash  -- no key here: stored on its chain links alone, flagged
               END AS computed
          FROM (
            SELECT b.o, b.line, b.at, b.after, b.alg_at, m.hash, m.prev, m.run, m.type #>> '{}' AS type,
                   m.seq::text AS seq_text, m.ts AS ts_text,
                   coalesce(b.fault, CASE
                       WHEN NOT b.data_object THEN 'data is not an object'
                       -- The nine members after data, in sorted order, nothing between
                       -- them: the tail rebuilt from its members' values must be exactly
                       -- the line's. hash, mode, prev, run and ts are rebuilt as plain
                       -- strings (their forms below hold no character JSON escapes),
                       -- operator and type as PostgreSQL writes them: the same as
                       -- Python's canonical form but for characters beyond ASCII,
                       -- which are then rebuilt from the line's own texts of those two.
                       WHEN m.hash || '","mode":"' || m.mode || '","operator":' || m.operator::text
                            || ',"prev":"' || m.prev || '","run":"' || m.run || '","seq":' || m.seq::text
                            || ',"ts":"' || m.ts || '","type":' || m.type::text || ',"v":' || m.v::text || '}'
                            IS DISTINCT FROM b.after
                        AND m.hash || '","mode":"' || m.mode || '","operator":' || (b.tail->'operator')::text
                            || ',"prev":"' || m.prev || '","run":"' || m.run || '","seq":' || m.seq::text
                            || ',"ts":"' || m.ts || '","type":' || (b.tail->'type')::text || ',"v":' || m.v::text || '}'
                            IS DISTINCT FROM b.after
                           THEN 'not an audit record in canonical form (its eleven members, in order)'
                       -- (hash: 64 lowercase hex, as the hash it must equal is, tested
                       -- here only where no hash is computed; prev: equal to the hash
                       -- before it or the genesis, tested with the chain; run: one per
                       -- batch, tested once, below)
                       WHEN (b.alg_at = 29 AND NOT keyed AND (length(m.hash) <> 64 OR m.hash !~ '^[0-9a-f]+$'))
                            OR m.mode NOT IN ('live', 'drill') OR NOT starts_with(m.operator::text, '"')
                            OR length(m.seq::text) > 18 OR ltrim(m.seq::text, '0123456789') <> ''
                            OR (starts_with(m.seq::text, '0') AND m.seq::text <> '0')
                            OR NOT starts_with(m.type::text, '"')
                            -- ts: YYYY-MM-DDTHH:MM:SS, up to six decimals, Z or an offset (its
                            -- digits all 0 after translate: the 21 shapes there are)
                            OR translate(m.ts, '123456789', '000000000') NOT IN (
                                '0000-00-00T00:00:00Z', '0000-00-00T00:00:00.0Z', '0000-00-00T00:00:00.00Z', '0000-00-00T00:00:00.000Z',
                                '0000-00-00T00:00:00.0000Z', '0000-00-00T00:00:00.00000Z', '0000-00-00T00:00:00.000000Z', '0000-00-00T00:00:00+00:00',
                                '0000-00-00T00:00:00.0+00:00', '0000-00-00T00:00:00.00+00:00', '0000-00-00T00:00:00.000+00:00', '0000-00-00T00:00:00.0000+00:00',
                                '0000-00-00T00:00:00.00000+00:00', '0000-00-00T00:00:00.000000+00:00', '0000-00-00T00:00:00-00:00', '0000-00-00T00:00:00.0-00:00',
                                '0000-00-00T00:00:00.00-00:00', '0000-00-00T00:00:00.000-00:00', '0000-00-00T00:00:00.0000-00:00', '0000-00-00T00:00:00.00000-00:00',
                                '0000-00-00T00:00:00.000000-00:00')
                            OR m.v::text <> '1'
                           THEN 'not an audit record (a member of the wrong form)'
                       -- Inside the strings: only the escapes Python's canonical form writes.
                       WHEN strpos(b.line, '\') > 0
                            AND b.line ~ '(^|[^\\])(\\\\)*\\([^"\\bfnrtu]|u([0-9a-f]{0,3}[^0-9a-f]|000[89acd]|00[2-6][0-9a-f]|007[0-9a-e]))'
                           THEN 'line is not in canonical form (an escape Python would not write)'
                   END) AS fault
              FROM (
                -- Not valid JSON (data, or the tail): the casts raise PostgreSQL's own
                -- error, and the batch is refused.
                SELECT a.o, a.line, a.at, a.after, a.alg_at, a.fault,
                       CASE WHEN a.fault IS NULL THEN ('{"hash":"' || a.after)::json END AS tail,
                       CASE WHEN a.fault IS NULL
                           THEN json_typeof(substr(a.line, a.alg_at, a.at - a.alg_at)::json) = 'object' END AS data_object
                  FROM (
                    SELECT z.o, z.line, z.at, z.after, z.alg_at,
                           CASE WHEN NOT z.ascii THEN 'line is not ASCII'
                                WHEN z.alg_at IS NULL
                                    THEN 'not an audit record in canonical form (alg, then data)'
                                WHEN z.at <= z.alg_at THEN 'not an audit record (no hash member)'
                           END AS fault
                      FROM (
                        SELECT u.o::int AS o, u.l AS line, octet_length(u.l) = length(u.l) AS ascii,
                               CASE WHEN starts_with(u.l, '{"alg":"sha256","data":') THEN 24
                                    WHEN starts_with(u.l, '{"alg":"hmac-sha256","data":') THEN 29 END AS alg_at,
                               -- (ASCII: bytes are characters)
                               octet_length(u.l) - octet_length(split_part(u.l, ',"hash":"', -1)) - 8 AS at,
                               split_part(u.l, ',"hash":"', -1) AS after
                          FROM unnest(lines) WITH ORDINALITY AS u(l, o) OFFSET 0) z
                      OFFSET 0) a
                  OFFSET 0) b
              LEFT JOIN LATERAL json_to_record(b.tail) AS m(hash text, mode text, operator json, prev text, run text,
                                                             seq json, ts text, type json, v json) ON true
              OFFSET 0) c
          OFFSET 0) f;

    -- 2. The batch as a whole, in one pass: one run, the first line that failed
    -- a check of its own, the first that does not follow the one before it.
    SELECT min(q.run) FILTER (WHERE q.fault IS NULL), count(DISTINCT q.run) FILTER (WHERE q.fault IS NULL),
           min(q.o) FILTER (WHERE q.fault IS NOT NULL),
           min(q.o) FILTER (WHERE q.o > 1 AND (q.seq <> q.before_seq + 1 OR q.prev <> q.before_hash)),
           bool_and(q.verified)
      INTO the_run, runs_seen, first_bad, first_break, all_verified
      FROM (SELECT p.*, lag(p.seq) OVER w AS before_seq, lag(p.hash) OVER w AS before_hash
              FROM unnest(parsed) p WINDOW w AS (ORDER BY p.o)) q;
    IF runs_seen > 1 THEN
        RAISE EXCEPTION 'ehplan hub: a batch holds records of one run, this one of %', runs_seen
            USING ERRCODE = 'check_violation';
    END IF;
    IF length(the_run) > 128 OR the_run !~ '^[A-Za-z0-9][A-Za-z0-9._-]*$' THEN
        RAISE EXCEPTION 'ehplan hub: not an audit record (a member of the wrong form: run)' USING ERRCODE = 'check_violation';
    END IF;

    -- 3. The run locked, and what is stored of it looked up once: no other
    -- writer can move its last record until this transaction ends.
    IF the_run IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtextextended(the_desk || '/' || the_run, 0));
        SELECT r.seq, r.hash INTO last_seq, last_hash FROM ehplan.records r
         WHERE r.desk = the_desk AND r.run = the_run ORDER BY r.seq DESC LIMIT 1;
        -- A different version of a stored seq: recorded (once per run), and
        -- nothing of the batch stored; no exception, or the alarm would go too.
        IF last_seq IS NOT NULL THEN
            SELECT p.* INTO conflict FROM unnest(parsed) p
              JOIN ehplan.records r ON r.desk = the_desk AND r.run = the_run AND r.seq = p.seq
             WHERE p.fault IS NULL AND p.seq <= last_seq AND r.line <> p.line
             ORDER BY p.o LIMIT 1;
            IF conflict.o IS NOT NULL THEN
                IF NOT EXISTS (SELECT 1 FROM ehplan.alarms a WHERE a.desk = the_desk AND a.run = the_run) THEN
                    INSERT INTO ehplan.alarms (desk, run, seq, stored_hash, offered_line, reason)
                    SELECT the_desk, the_run, conflict.seq, r.hash, conflict.line, 'a different version of a stored record'
                      FROM ehplan.records r WHERE r.desk = the_desk AND r.run = the_run AND r.seq = conflict.seq;
                    PERFORM pg_notify('ehplan_alarm', the_desk || ' ' || the_run);
                END IF;
                alarm := true;
                RETURN;
            END IF;
        END IF;
    END IF;

    -- 4. A line that failed a check of its own refuses the batch.
    IF first_bad IS NOT NULL THEN
        RAISE EXCEPTION 'ehplan hub: %', parsed[first_bad].fault USING ERRCODE = 'check_violation';
    END IF;

    -- 5. The run forked from what is stored: its alarm says so, nothing more is taken.
    IF EXISTS (SELECT 1 FROM ehplan.alarms a WHERE a.desk = the_desk AND a.run = the_run) THEN
        alarm := true;
        RETURN;
    END IF;

    -- 6. The chain: inside the batch each record follows the one before it ...
    IF first_break IS NOT NULL THEN
        line_at := parsed[first_break];
        before := parsed[first_break - 1];
        IF line_at.seq <> before.seq + 1 THEN
            RAISE EXCEPTION 'ehplan hub: seq % follows % in run %', line_at.seq, before.seq, the_run
                USING ERRCODE = 'check_violation';
        END IF;
        RAISE EXCEPTION 'ehplan hub: prev of seq % does not match seq %''s hash in run %', line_at.seq, before.seq, the_run
            USING ERRCODE = 'check_violation';
    END IF;
    -- ... and the first one not stored yet follows what is (the batch's seqs
    -- being consecutive, it is the one at last_seq + 1 - the first seq).
    from_o := greatest(1, (coalesce(last_seq, -1) + 1 - parsed[1].seq + 1)::int);
    IF from_o > n THEN
        RETURN;  -- all shipped before: stored once
    END IF;
    line_at := parsed[from_o];
    IF last_seq IS NULL THEN
        IF line_at.seq <> 0 THEN
            RAISE EXCEPTION 'ehplan hub: first seq of run % is %, not 0', the_run, line_at.seq
                USING ERRCODE = 'check_violation';
        END IF;
        IF line_at.prev <> repeat('0', 64) THEN
            RAISE EXCEPTION 'ehplan hub: prev of seq 0 is not the genesis hash' USING ERRCODE = 'check_violation';
        END IF;
    ELSE
        IF line_at.seq <> last_seq + 1 THEN
            RAISE EXCEPTION 'ehplan hub: seq % follows % in run %', line_at.seq, last_seq, the_run
                USING ERRCODE = 'check_violation';
        END IF;
        IF line_at.prev <> last_hash THEN
            RAISE EXCEPTION 'ehplan hub: prev of seq % does not match seq %''s hash in run %',
                line_at.seq, last_seq, the_run USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    -- The run file's name: needed with seq 0 (the board and exports use it), and
    -- whenever given, the name of this run's file.
    IF (line_at.seq = 0 AND file IS NULL)
       OR (file IS NOT NULL AND file !~ ('^[0-9]{8}T[0-9]{6}Z-' || replace(the_run, '.', '\.') || '\.jsonl$')) THEN
        RAISE EXCEPTION 'ehplan hub: seq 0 of run % needs its file name', the_run
            USING ERRCODE = 'check_violation';
    END IF;

    -- 7. Stored, in one statement.
    INSERT INTO ehplan.records (desk, run, seq, file, line, hash, prev, type, ts, verified)
    SELECT the_desk, p.run, p.seq, CASE WHEN p.seq = 0 THEN file END, p.line, p.hash, p.prev, p.type, p.ts, p.verified
      FROM unnest(parsed[from_o:n]) p;
    GET DIAGNOSTICS stored = ROW_COUNT;
    last_seq := parsed[n].seq;

    -- 8. The runs table follows what was stored, and listeners (the boards)
    -- are told (this was migration 1's statement trigger, note_runs).
    line_at := parsed[n];
    IF parsed[from_o].seq = 0 THEN
        head := parsed[from_o].line::jsonb;
        INSERT INTO ehplan.runs (desk, run, file, started_at, mode, operator, playbook,
                                 last_seq, last_hash, last_type, last_ts, ended, verified)
        VALUES (the_desk, the_run, file, parsed[from_o].ts, head->>'mode', head->>'operator',
                coalesce(head->'data'->>'playbook', ''), line_at.seq, line_at.hash, line_at.type, line_at.ts,
                line_at.type = 'run_ended', all_verified)
        ON CONFLICT (desk, run) DO NOTHING;
    ELSE
        UPDATE ehplan.runs r SET last_seq = line_at.seq, last_hash = line_at.hash, last_type = line_at.type,
               last_ts = line_at.ts, ended = (line_at.type = 'run_ended'), verified = r.verified AND all_verified
         WHERE r.desk = the_desk AND r.run = the_run AND r.last_seq < line_at.seq;
    END IF;
    PERFORM pg_notify('ehplan_records', the_desk || ' ' || the_run || ' ' || line_at.seq);
END
$$;

-- Migration 1's triggers go: ingest does their work, once per batch.
DROP TRIGGER records_check ON ehplan.records;
DROP FUNCTION ehplan.check_record();
DROP TRIGGER records_note_runs ON ehplan.records;
DROP FUNCTION ehplan.note_runs();

-- Rows enter through ingest only: any other INSERT (or COPY) into records is
-- refused, whoever runs it. Inside ingest the current user is the owner (a
-- SECURITY DEFINER function) while the session user is a desk's role; no
-- other session has both.
CREATE FUNCTION ehplan.ingest_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF ehplan.current_desk() IS NULL OR current_user = session_user
       OR current_user <> (SELECT c.relowner::regrole::name FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID) THEN
        RAISE EXCEPTION 'ehplan hub: records are stored through ehplan.ingest(file, lines) only, by a desk''s login'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER records_ingest_only BEFORE INSERT ON ehplan.records
    FOR EACH STATEMENT EXECUTE FUNCTION ehplan.ingest_only();

REVOKE INSERT (desk, file, line) ON ehplan.records FROM ehplan_desk;
REVOKE INSERT ON ehplan.records FROM ehplan_desk;
REVOKE ALL ON FUNCTION ehplan.ingest(text, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION ehplan.ingest_only() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ehplan.ingest(text, text[]) TO ehplan_desk;
