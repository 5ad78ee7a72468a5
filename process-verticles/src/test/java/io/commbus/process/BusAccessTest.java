package io.commbus.process;

import io.commbus.bus.Message;
import io.commbus.bus.StreamSink;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BusAccessTest extends ProcessFixture {

  @Test
  void pythonPublishesSendsQueriesAndStreamsThroughTheParent() {
    FileJournal journal = await(FileJournal.open(vertx, new FileJournalOptions(runtime.resolve("journal"))));
    bus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    List<Message> happened = new CopyOnWriteArrayList<>();
    bus.subscribe("test.Happened", happened::add);
    Promise<JsonObject> commanded = Promise.promise();
    await(bus.registerHandler("test.Do", (Message m) -> {
      commanded.tryComplete(m.json());
      return Future.succeededFuture();
    }));
    await(bus.registerHandler("test.Ask", (Message m) ->
        Future.succeededFuture(new JsonObject().put("answer", m.json().getString("what").toUpperCase()))));
    await(bus.registerStreamHandler("test.AskMany", (Message m, StreamSink<Object> sink) -> {
      for (int i = 0; i < m.json().getInteger("n"); i++) {
        sink.write(new JsonObject().put("i", i));
      }
      sink.end();
    }));
    deploy("py.ops", worker("bus_ops"));

    JsonObject reply = await(bus.query(Message.query("py.ops", new JsonObject().put("what", "buy")))).json();

    assertTrue(reply.getLong("position") > 0, "the event was journaled: " + reply);
    assertEquals("BUY", reply.getJsonObject("answer").getString("answer"));
    assertEquals(3, reply.getJsonArray("streamed").size());
    assertEquals("buy", await(commanded.future()).getString("what"));
    assertEquals(1, happened.size());
    assertEquals(reply.getLong("position"), happened.get(0).position());
    await(journal.close());
  }

  @Test
  void aQueryNobodyHandlesRaisesNoHandlerInPython() {
    deploy("py.missing", worker("query_missing"));

    JsonObject reply = await(bus.query(Message.query("py.missing", new JsonObject()))).json();

    assertEquals("NO_HANDLER", reply.getString("code"));
  }

  @Test
  void pythonSubscribesToBusEvents() {
    deploy("py.sub", worker("subscribe_some"));
    bus.subscribe("test.Subscribed", m -> {
      for (int i = 0; i < 5; i++) {
        bus.publish(Message.event("test.Tick", new JsonObject().put("i", i)));
      }
    });

    JsonArray received = await(bus.query(Message.query("py.sub", new JsonObject().put("n", 5)))).json()
        .getJsonArray("received");

    assertEquals(5, received.size());
    for (int i = 0; i < 5; i++) {
      assertEquals(i, received.getJsonObject(i).getInteger("i"));
    }
  }
}
