-- Chats: id is the chat number (API id "chat_<id>"); last_seq is the per-chat message sequence,
-- bumped in the same transaction that inserts a message, so seq has no gaps and gives a total order.
CREATE TABLE chats (
    id            BIGINT      PRIMARY KEY,
    title         TEXT        NOT NULL,
    owner_id      TEXT        NOT NULL,
    bot_enabled   BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    last_seq      BIGINT      NOT NULL DEFAULT 0,
    message_count BIGINT      NOT NULL DEFAULT 0
);

CREATE TABLE chat_members (
    chat_id   BIGINT      NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    user_id   TEXT        NOT NULL,
    joined_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX chat_members_user_idx ON chat_members (user_id);

-- Messages: API id "msg_<chat_id>_<seq>". status is the latest state: sent | delivered | read | edited | typing | failed.
CREATE TABLE messages (
    chat_id           BIGINT      NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    seq               BIGINT      NOT NULL,
    role              TEXT        NOT NULL,
    author_id         TEXT        NOT NULL,
    content           TEXT        NOT NULL,
    full_content      TEXT,
    content_type      TEXT        NOT NULL,
    status            TEXT        NOT NULL,
    metadata          JSONB,
    thread_id         TEXT,
    reply_to          TEXT,
    client_message_id TEXT,
    content_hash      TEXT,
    created_at        TIMESTAMPTZ NOT NULL,
    edited_at         TIMESTAMPTZ,
    deleted_at        TIMESTAMPTZ,
    edit_history      JSONB       NOT NULL DEFAULT '[]'::jsonb,
    PRIMARY KEY (chat_id, seq)
);
-- Idempotent sends: one row per (chat, author, client_message_id), enforced durably.
CREATE UNIQUE INDEX messages_client_id_uq ON messages (chat_id, author_id, client_message_id)
    WHERE client_message_id IS NOT NULL;
CREATE INDEX messages_thread_idx ON messages (chat_id, thread_id, seq) WHERE thread_id IS NOT NULL;

-- "Delete for me": hidden for one user only.
CREATE TABLE message_hidden (
    chat_id   BIGINT      NOT NULL,
    seq       BIGINT      NOT NULL,
    user_id   TEXT        NOT NULL,
    hidden_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chat_id, seq, user_id),
    FOREIGN KEY (chat_id, seq) REFERENCES messages (chat_id, seq) ON DELETE CASCADE
);

CREATE TABLE reactions (
    chat_id    BIGINT      NOT NULL,
    seq        BIGINT      NOT NULL,
    user_id    TEXT        NOT NULL,
    emoji      TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chat_id, seq, user_id, emoji),
    FOREIGN KEY (chat_id, seq) REFERENCES messages (chat_id, seq) ON DELETE CASCADE
);

CREATE TABLE attachments (
    id           TEXT        PRIMARY KEY,
    chat_id      BIGINT      NOT NULL,
    seq          BIGINT      NOT NULL,
    position     INT         NOT NULL,
    filename     TEXT        NOT NULL,
    content_type TEXT        NOT NULL,
    size         BIGINT      NOT NULL,
    data         BYTEA       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (chat_id, seq) REFERENCES messages (chat_id, seq) ON DELETE CASCADE
);
CREATE INDEX attachments_message_idx ON attachments (chat_id, seq);

-- Per-user read position: mark_read of seq N marks every message up to N read for that user in one write.
CREATE TABLE read_receipts (
    chat_id       BIGINT      NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    user_id       TEXT        NOT NULL,
    last_read_seq BIGINT      NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
