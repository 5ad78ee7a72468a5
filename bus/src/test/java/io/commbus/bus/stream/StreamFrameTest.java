package io.commbus.bus.stream;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class StreamFrameTest {

  @Test
  void everyKindRoundTripsThroughItsWireName() {
    for (StreamFrame kind : StreamFrame.values()) {
      assertEquals(kind, StreamFrame.fromWireName(kind.wireName()));
    }
  }

  @Test
  void theWireNamesAreTheDocumentedOnes() {
    assertEquals(List.of("item", "end", "error", "credit", "cancel", "done"),
        EnumSet.allOf(StreamFrame.class).stream().map(StreamFrame::wireName).toList());
  }

  @Test
  void unknownOrMissingKindsAreNull() {
    assertNull(StreamFrame.fromWireName(null));
    assertNull(StreamFrame.fromWireName("ITEM"));
    assertNull(StreamFrame.fromWireName("credits"));
  }

  @Test
  void onlyTheProducersLastFramesAreFinal() {
    assertEquals(EnumSet.of(StreamFrame.END, StreamFrame.ERROR),
        EnumSet.copyOf(EnumSet.allOf(StreamFrame.class).stream().filter(StreamFrame::isFinal).toList()));
  }
}
