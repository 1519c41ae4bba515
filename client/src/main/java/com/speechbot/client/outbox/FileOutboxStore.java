package com.speechbot.client.outbox;

import com.fasterxml.jackson.core.type.TypeReference;
import com.speechbot.protocol.codec.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An outbox in one JSON file. Every change rewrites the file through a temporary file and an atomic rename, so a crash
 * leaves either the old or the new queue, never half of one. Meant for the few messages written while offline.
 */
public final class FileOutboxStore implements OutboxStore {

    private static final TypeReference<List<QueuedSend>> LIST = new TypeReference<>() {};

    private final Path file;
    private final Map<String, QueuedSend> entries = new LinkedHashMap<>();

    public FileOutboxStore(Path file) {
        this.file = file;
        try {
            if (Files.exists(file)) {
                for (QueuedSend s : Json.mapper().readValue(file.toFile(), LIST)) {
                    entries.put(s.clientMessageId(), s);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read outbox " + file, e);
        }
    }

    @Override
    public synchronized List<QueuedSend> load(String chatId) {
        List<QueuedSend> out = new ArrayList<>();
        for (QueuedSend s : entries.values()) {
            if (s.chatId().equals(chatId)) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public synchronized void put(QueuedSend send) {
        entries.put(send.clientMessageId(), send);
        save();
    }

    @Override
    public synchronized void remove(String clientMessageId) {
        if (entries.remove(clientMessageId) != null) {
            save();
        }
    }

    private void save() {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(Json.writeBytes(new ArrayList<>(entries.values()))));
                ch.force(true); // on disk before the rename makes it the outbox
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write outbox " + file, e);
        }
    }
}
