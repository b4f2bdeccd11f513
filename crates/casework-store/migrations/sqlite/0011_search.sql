-- Full-text search over notes (addenda included), the answers of forms filled in on cases,
-- and the names of the people cases are about.
--
-- `search_documents` holds one row per searchable text, saying what it is: the case, the
-- kind ('note', 'form' or 'person') and the record (the note, the form submission, the
-- person). A person's name is held once for each of their cases, so every row belongs to
-- exactly one case and a search joins cases on one column. `search_index` is SQLite's FTS5
-- index over the text (external content: the text is stored once, in search_documents).
-- Triggers keep both in step with the records, so nothing else ever writes here. A
-- PostgreSQL backend keeps the same table with a tsvector column and a GIN index instead.
CREATE TABLE search_documents (
    id        INTEGER PRIMARY KEY,
    case_id   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    record_id TEXT NOT NULL,
    body      TEXT NOT NULL
);
CREATE INDEX search_documents_by_case ON search_documents (case_id);
CREATE INDEX search_documents_by_record ON search_documents (record_id);

-- "porter" so that "mentioned" finds "mention"; diacritics removed so "Zoe" finds "Zoë".
CREATE VIRTUAL TABLE search_index USING fts5(
    body,
    content = 'search_documents',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
-- A deleted text leaves no trace in the index (not even its words in the index's pages):
-- a destroyed case's words must not outlive it.
INSERT INTO search_index (search_index, rank) VALUES ('secure-delete', 1);

CREATE TRIGGER search_documents_are_indexed AFTER INSERT ON search_documents
BEGIN
    INSERT INTO search_index (rowid, body) VALUES (NEW.id, NEW.body);
END;
CREATE TRIGGER search_documents_are_reindexed AFTER UPDATE ON search_documents
BEGIN
    INSERT INTO search_index (search_index, rowid, body) VALUES ('delete', OLD.id, OLD.body);
    INSERT INTO search_index (rowid, body) VALUES (NEW.id, NEW.body);
END;
CREATE TRIGGER search_documents_are_unindexed AFTER DELETE ON search_documents
BEGIN
    INSERT INTO search_index (search_index, rowid, body) VALUES ('delete', OLD.id, OLD.body);
END;

-- Notes and addenda, as written.
CREATE TRIGGER notes_are_searchable AFTER INSERT ON notes
BEGIN
    INSERT INTO search_documents (case_id, kind, record_id, body) VALUES (NEW.case_id, 'note', NEW.id, NEW.body);
END;
CREATE TRIGGER destroyed_notes_leave_search AFTER DELETE ON notes
BEGIN
    DELETE FROM search_documents WHERE record_id = OLD.id AND kind = 'note';
END;

-- A form's answers: the text values only, never the question keys, numbers or true/false
-- answers. The snippet markers (characters 2 and 3) are taken out of answers, where they
-- could otherwise arrive; notes and names cannot hold control characters.
CREATE TRIGGER form_answers_are_searchable AFTER INSERT ON form_submissions
BEGIN
    INSERT INTO search_documents (case_id, kind, record_id, body)
    SELECT NEW.case_id, 'form', NEW.id, group_concat(replace(replace(j.value, char(2), ''), char(3), ''), '; ')
    FROM json_tree(NEW.answers) j WHERE j.type = 'text'
    HAVING count(*) > 0;
END;
CREATE TRIGGER destroyed_forms_leave_search AFTER DELETE ON form_submissions
BEGIN
    DELETE FROM search_documents WHERE record_id = OLD.id AND kind = 'form';
END;

-- The person's name, for each of their cases.
CREATE TRIGGER case_names_are_searchable AFTER INSERT ON cases
BEGIN
    INSERT INTO search_documents (case_id, kind, record_id, body)
    SELECT NEW.id, 'person', p.id, p.given_name || ' ' || p.family_name || coalesce(' (' || p.known_as || ')', '')
    FROM people p WHERE p.id = NEW.person_id;
END;
CREATE TRIGGER case_person_changes_in_search AFTER UPDATE OF person_id ON cases
WHEN NEW.person_id IS NOT OLD.person_id
BEGIN
    UPDATE search_documents
    SET record_id = NEW.person_id,
        body = (SELECT p.given_name || ' ' || p.family_name || coalesce(' (' || p.known_as || ')', '')
                FROM people p WHERE p.id = NEW.person_id)
    WHERE case_id = NEW.id AND kind = 'person';
END;
CREATE TRIGGER changed_names_are_searchable AFTER UPDATE OF given_name, family_name, known_as ON people
BEGIN
    UPDATE search_documents
    SET body = NEW.given_name || ' ' || NEW.family_name || coalesce(' (' || NEW.known_as || ')', '')
    WHERE record_id = NEW.id AND kind = 'person';
END;
-- A destroyed case takes every text of it out of search, its person's name included.
CREATE TRIGGER destroyed_cases_leave_search AFTER DELETE ON cases
BEGIN
    DELETE FROM search_documents WHERE case_id = OLD.id;
END;

-- What was recorded before search existed.
INSERT INTO search_documents (case_id, kind, record_id, body)
SELECT case_id, 'note', id, body FROM notes ORDER BY id;

INSERT INTO search_documents (case_id, kind, record_id, body)
SELECT f.case_id, 'form', f.id, group_concat(replace(replace(j.value, char(2), ''), char(3), ''), '; ')
FROM form_submissions f, json_tree(f.answers) j WHERE j.type = 'text'
GROUP BY f.id ORDER BY f.id;

INSERT INTO search_documents (case_id, kind, record_id, body)
SELECT c.id, 'person', p.id, p.given_name || ' ' || p.family_name || coalesce(' (' || p.known_as || ')', '')
FROM cases c JOIN people p ON p.id = c.person_id ORDER BY c.id;
