-- The PostgreSQL form of migrations/sqlite/0004_history_chain.sql.

-- Each case's history as a hash chain (events without a case form one chain of their own):
-- every event's hash covers the event as stored and the hash before it, so changing,
-- removing or slipping in an event breaks the chain from there on. `casework verify` walks
-- every chain. Like the history itself, the chain is never updated or deleted.
CREATE TABLE event_chain (
    event_id   TEXT PRIMARY KEY REFERENCES events(id),
    chain      TEXT NOT NULL,
    position   BIGINT NOT NULL,
    hash       TEXT NOT NULL,
    UNIQUE (chain, position)
);
CREATE TRIGGER event_chain_is_never_updated BEFORE UPDATE ON event_chain
FOR EACH ROW EXECUTE FUNCTION refuse_change('the history chain is append-only');
CREATE TRIGGER event_chain_is_never_deleted BEFORE DELETE ON event_chain
FOR EACH ROW EXECUTE FUNCTION refuse_change('the history chain is append-only');
