package com.speechbot.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.AttachmentView;
import com.speechbot.protocol.ChatInfo;
import com.speechbot.protocol.ChatUpdated;
import com.speechbot.protocol.ChatView;
import com.speechbot.protocol.DeletionResult;
import com.speechbot.protocol.EditEntry;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.ErrorEnvelope;
import com.speechbot.protocol.MessagePage;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.Pagination;
import com.speechbot.protocol.ReactionResult;
import com.speechbot.protocol.ReactionTotal;
import com.speechbot.protocol.ReactionView;
import com.speechbot.protocol.SentMessage;
import com.speechbot.protocol.codec.Json;
import com.speechbot.protocol.event.ClientEventType;
import com.speechbot.protocol.event.ServerEvent;
import com.speechbot.server.TestHttp;
import com.speechbot.server.TestServer;
import com.speechbot.server.chat.ChatPage;
import com.speechbot.server.chat.MemberAdded;
import com.speechbot.server.chat.MemberRemoved;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/openapi.json} describes exactly what the server serves: every route of the router is a path and
 * method of the document and vice versa, path parameters are declared, the error codes and their statuses are the
 * {@link ErrorCode} enum, the WebSocket events are the protocol's, the schemas have the wire records' fields, and every
 * {@code $ref} resolves.
 */
class OpenApiTest {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

    private static TestServer server;
    private static JsonNode doc;

    @BeforeAll
    static void fetch() throws Exception {
        server = TestServer.shared();
        TestHttp.Resp r = server.http().get(OpenApiResource.PATH, null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("application/json");
        doc = Json.readTree(r.raw());
    }

    @Test
    void isAnOpenApi31DocumentServedWithoutAToken() {
        assertThat(doc.path("openapi").asText()).startsWith("3.1.");
        assertThat(doc.path("info").path("title").asText()).isNotBlank();
        assertThat(doc.path("paths").size()).isGreaterThan(10);
    }

    @Test
    void revalidatesWithItsEtag() {
        TestHttp.Resp first = server.http().get(OpenApiResource.PATH, null);
        String etag = first.header("etag");
        assertThat(etag).isNotBlank();
        assertThat(first.header("cache-control")).isEqualTo("no-cache");
        HttpResponse<byte[]> again = ConsoleResourceTest.get(server.baseUrl() + OpenApiResource.PATH, "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedOperationIsRouted() {
        Set<String> routed = new TreeSet<>();
        for (Router.Route r : server.server().router().routes()) {
            routed.add(r.method().name() + " " + r.pattern());
        }
        Set<String> documented = new TreeSet<>();
        doc.path("paths").properties().forEach(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            if (METHODS.contains(m)) {
                documented.add(m.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey());
            }
        }));
        Set<String> undocumented = new TreeSet<>(routed);
        undocumented.removeAll(documented);
        Set<String> unrouted = new TreeSet<>(documented);
        unrouted.removeAll(routed);
        assertThat(undocumented).as("routes missing from server/src/main/resources/%s", OpenApiResource.RESOURCE).isEmpty();
        assertThat(unrouted).as("operations in %s that no route serves", OpenApiResource.RESOURCE).isEmpty();
    }

    @Test
    void everyPathParameterIsDeclared() {
        doc.path("paths").properties().forEach(p -> {
            Set<String> inPath = new TreeSet<>();
            var m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(p.getKey());
            while (m.find()) {
                inPath.add(m.group(1));
            }
            p.getValue().properties().forEach(op -> {
                if (!METHODS.contains(op.getKey())) {
                    return;
                }
                Set<String> declared = new TreeSet<>();
                for (JsonNode param : op.getValue().path("parameters")) {
                    JsonNode resolved = resolve(param);
                    if ("path".equals(resolved.path("in").asText())) {
                        assertThat(resolved.path("required").asBoolean()).as("path parameter %s of %s is required",
                                resolved.path("name").asText(), p.getKey()).isTrue();
                        declared.add(resolved.path("name").asText());
                    }
                }
                assertThat(declared).as("path parameters of %s %s", op.getKey(), p.getKey()).isEqualTo(inPath);
                assertThat(op.getValue().path("operationId").asText()).as("operationId of %s %s", op.getKey(), p.getKey())
                        .isNotBlank();
            });
        });
    }

    @Test
    void errorCodesAndStatusesAreTheEnum() {
        Map<String, Integer> expected = new TreeMap<>();
        for (ErrorCode c : ErrorCode.values()) {
            expected.put(c.name(), c.httpStatus());
        }
        Map<String, Integer> table = new TreeMap<>();
        for (JsonNode row : doc.path("x-error-codes")) {
            table.put(row.path("code").asText(), row.path("http_status").asInt());
            assertThat(row.path("description").asText()).as("description of %s", row.path("code").asText()).isNotBlank();
        }
        assertThat(table).isEqualTo(expected);
        Set<String> schemaEnum = new TreeSet<>();
        doc.at("/components/schemas/ErrorCode/enum").forEach(n -> schemaEnum.add(n.asText()));
        assertThat(schemaEnum).isEqualTo(expected.keySet());
    }

    @Test
    void documentedErrorCodesExistAndMatchTheirStatus() {
        // "Error codes: A, B." in a response description must name codes of that status.
        doc.path("paths").properties().forEach(p -> p.getValue().properties().forEach(op -> {
            if (!METHODS.contains(op.getKey())) {
                return;
            }
            op.getValue().path("responses").properties().forEach(r -> {
                String description = resolve(r.getValue()).path("description").asText();
                int at = description.indexOf("Error codes: ");
                if (at < 0 || !r.getKey().matches("\\d{3}")) {
                    return;
                }
                for (String code : description.substring(at + 13).replace(".", "").split(",\\s*")) {
                    ErrorCode c = ErrorCode.valueOf(code.trim());
                    assertThat(c.httpStatus()).as("%s in %s %s %s", code, op.getKey(), p.getKey(), r.getKey())
                            .isEqualTo(Integer.parseInt(r.getKey()));
                }
            });
        }));
    }

    @Test
    void webSocketEventsAreTheProtocols() throws IllegalAccessException {
        JsonNode ws = doc.path("x-websocket");
        Set<String> serverEvents = new TreeSet<>();
        for (Field f : ServerEvent.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                serverEvents.add((String) f.get(null));
            }
        }
        serverEvents.add("pong"); // answered inline by the session, not a ServerEvent constant
        assertThat(names(ws.path("server_events"))).isEqualTo(serverEvents);
        Set<String> clientEvents = Arrays.stream(ClientEventType.values()).map(ClientEventType::wireName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(names(ws.path("client_events"))).isEqualTo(clientEvents);
        for (JsonNode events : List.of(ws.path("server_events"), ws.path("client_events"))) {
            events.properties().forEach(e -> assertThat(resolve(e.getValue()).at("/properties/type/const").asText())
                    .as("type of the schema of %s", e.getKey()).isEqualTo(e.getKey()));
        }
    }

    @Test
    void schemasHaveTheFieldsOfTheWireRecords() {
        Map<String, Class<? extends Record>> records = new LinkedHashMap<>();
        records.put("Message", MessageView.class);
        records.put("Reaction", ReactionView.class);
        records.put("ReactionTotal", ReactionTotal.class);
        records.put("Attachment", AttachmentView.class);
        records.put("EditEntry", EditEntry.class);
        records.put("Chat", ChatView.class);
        records.put("ChatInfo", ChatInfo.class);
        records.put("ChatUpdated", ChatUpdated.class);
        records.put("MessagePagination", Pagination.class);
        records.put("MessagePage", MessagePage.class);
        records.put("ChatPage", ChatPage.class);
        records.put("ChatPagination", ChatPage.Pagination.class);
        records.put("SentMessage", SentMessage.class);
        records.put("DeletionResult", DeletionResult.class);
        records.put("ReactionResult", ReactionResult.class);
        records.put("MemberAdded", MemberAdded.class);
        records.put("MemberRemoved", MemberRemoved.class);
        records.put("ErrorEnvelope", ErrorEnvelope.class);
        Map<String, Class<? extends Record>> eventData = new LinkedHashMap<>();
        eventData.put("WsNewMessage", ServerEvent.MessagePayload.class);
        eventData.put("WsMessageUpdated", ServerEvent.MessagePayload.class);
        eventData.put("WsMessageStatus", ServerEvent.MessageStatus.class);
        eventData.put("WsTypingIndicator", ServerEvent.TypingIndicator.class);
        eventData.put("WsBotResponseChunk", ServerEvent.BotResponseChunk.class);
        eventData.put("WsError", ServerEvent.ErrorPayload.class);
        eventData.put("WsMessageDeleted", ServerEvent.MessageDeleted.class);
        eventData.put("WsReactionUpdated", ServerEvent.ReactionUpdated.class);
        eventData.put("WsConnectionEstablished", ServerEvent.ConnectionEstablished.class);
        List<String> problems = new ArrayList<>();
        records.forEach((schema, type) -> compare(schema, doc.at("/components/schemas/" + schema), type, problems));
        eventData.forEach((schema, type) -> compare(schema + ".data",
                resolve(doc.at("/components/schemas/" + schema + "/properties/data")), type, problems));
        assertThat(problems).isEmpty();
    }

    @Test
    void everyReferenceResolves() {
        List<String> broken = new ArrayList<>();
        checkRefs(doc, broken);
        assertThat(broken).isEmpty();
    }

    private static void compare(String schema, JsonNode node, Class<? extends Record> type, List<String> problems) {
        if (node.isMissingNode()) {
            problems.add(schema + ": no such schema");
            return;
        }
        Set<String> wire = new TreeSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            wire.add(snake(c.getName()));
        }
        Set<String> documented = names(node.path("properties"));
        if (!wire.equals(documented)) {
            problems.add(schema + " documents " + documented + " but " + type.getName() + " writes " + wire);
        }
    }

    private static void checkRefs(JsonNode node, List<String> broken) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && (!ref.asText().startsWith("#/") || doc.at(ref.asText().substring(1)).isMissingNode())) {
                broken.add(ref.asText());
            }
            node.forEach(n -> checkRefs(n, broken));
        } else if (node.isArray()) {
            node.forEach(n -> checkRefs(n, broken));
        }
    }

    private static JsonNode resolve(JsonNode node) {
        JsonNode ref = node.get("$ref");
        return ref == null ? node : resolve(doc.at(ref.asText().substring(1)));
    }

    private static Set<String> names(JsonNode object) {
        Set<String> out = new TreeSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
