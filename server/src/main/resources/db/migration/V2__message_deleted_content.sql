-- "Delete for everyone" clears content/full_content; the originals are kept here until restored.
ALTER TABLE messages
    ADD COLUMN deleted_content      TEXT,
    ADD COLUMN deleted_full_content TEXT;
