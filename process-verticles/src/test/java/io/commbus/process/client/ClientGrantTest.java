package io.commbus.process.client;

import io.commbus.bus.config.InvalidSettingException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Protocol.CallOp;
import io.commbus.process.wire.Protocol.Permission;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientGrantTest {

  private static final String SECRET = "0123456789abcdef0123";
  /** The registry's registration event (the coordinator module is not a dependency here). */
  private static final String REGISTRY_EVENT = "commbus.registry.ServiceRegistered";

  @Test
  void aTokenMayMakeTheCallsOfItsPermissionsOnly() {
    ClientGrant reader = new ClientGrant("reader", SECRET, EnumSet.of(Permission.QUERY), List.of());
    assertDoesNotThrow(() -> reader.check(CallOp.QUERY, "trading.Quote"));
    assertDoesNotThrow(() -> reader.check(CallOp.STREAM, "market.Ticks"));
    assertDoesNotThrow(() -> reader.check(CallOp.CALLBACK, "market.MarketData"));
    CommBusException refused = assertThrows(CommBusException.class, () -> reader.check(CallOp.PUBLISH, "a.B"));
    assertEquals(ErrorCode.FORBIDDEN, refused.code());
    assertEquals("token reader may not publish (it lacks the publish permission)", refused.getMessage());
    assertEquals(ErrorCode.FORBIDDEN, assertThrows(CommBusException.class,
        () -> reader.check(CallOp.SUBSCRIBE, "a.B")).code());
    assertEquals(ErrorCode.FORBIDDEN, assertThrows(CommBusException.class,
        () -> reader.check(CallOp.SERVE, "a.B")).code());
  }

  @Test
  void serveIsLimitedToTheTokensPrefixes() {
    ClientGrant ml = new ClientGrant("ml", SECRET, EnumSet.of(Permission.SERVE), List.of("ml.", "vision."));
    assertDoesNotThrow(() -> ml.check(CallOp.SERVE, "ml.Embed"));
    assertDoesNotThrow(() -> ml.check(CallOp.SERVE, "vision.Detect"));
    CommBusException refused = assertThrows(CommBusException.class, () -> ml.check(CallOp.SERVE, "trading.Quote"));
    assertTrue(refused.getMessage().contains("[ml., vision.]"), refused.getMessage());
  }

  @Test
  void commbusOwnTypesNeedAdminOnTopOfTheVerb() {
    ClientGrant app = new ClientGrant("app", SECRET, EnumSet.of(Permission.PUBLISH, Permission.QUERY,
        Permission.SERVE, Permission.SUBSCRIBE), List.of());
    CommBusException forged = assertThrows(CommBusException.class,
        () -> app.check(CallOp.PUBLISH, REGISTRY_EVENT));
    assertEquals(ErrorCode.FORBIDDEN, forged.code());
    assertTrue(forged.getMessage().contains("need the admin permission"), forged.getMessage());
    for (CallOp op : List.of(CallOp.QUERY, CallOp.STREAM, CallOp.SUBSCRIBE, CallOp.SERVE)) {
      assertEquals(ErrorCode.FORBIDDEN, assertThrows(CommBusException.class,
          () -> app.check(op, "commbus.callback.market.MarketData")).code(), op.wireName());
    }
    // A callback names its path; the node, not the client, maps it to commbus.callback.*.
    assertDoesNotThrow(() -> app.check(CallOp.CALLBACK, "market.MarketData"));
    assertDoesNotThrow(() -> app.check(CallOp.PUBLISH, "commbusx.Mine"));

    ClientGrant operator = new ClientGrant("ops", SECRET, EnumSet.of(Permission.SUBSCRIBE, Permission.ADMIN),
        List.of());
    assertDoesNotThrow(() -> operator.check(CallOp.SUBSCRIBE, REGISTRY_EVENT));
    // admin widens the types, not the verbs.
    assertEquals("token ops may not publish (it lacks the publish permission)", assertThrows(CommBusException.class,
        () -> operator.check(CallOp.PUBLISH, REGISTRY_EVENT)).getMessage());
    assertDoesNotThrow(() -> ClientGrant.everything("all", SECRET).check(CallOp.SERVE, "commbus.callback.a.B"));
  }

  @Test
  void aGroupOfEveryTypeOrOfCommbusOwnTypesNeedsAdmin() {
    ClientGrant workers = new ClientGrant("workers", SECRET, EnumSet.of(Permission.GROUP), List.of());
    assertDoesNotThrow(() -> workers.checkGroupTypes("billing", Set.of("orders.Placed")));
    CommBusException every = assertThrows(CommBusException.class, () -> workers.checkGroupTypes("billing", Set.of()));
    assertEquals(ErrorCode.FORBIDDEN, every.code());
    assertTrue(every.getMessage().contains("name the group's types"), every.getMessage());
    assertEquals(ErrorCode.FORBIDDEN, assertThrows(CommBusException.class,
        () -> workers.checkGroupTypes("audit", Set.of("orders.Placed", REGISTRY_EVENT))).code());
    ClientGrant operator = new ClientGrant("ops", SECRET, EnumSet.of(Permission.GROUP, Permission.ADMIN), List.of());
    assertDoesNotThrow(() -> operator.checkGroupTypes("audit", Set.of()));
    assertDoesNotThrow(() -> operator.checkGroupTypes("audit", Set.of(REGISTRY_EVENT)));
  }

  @Test
  void aShortOrSpacedSecretIsRefusedWithoutRepeatingIt() {
    InvalidSettingException shortOne = assertThrows(InvalidSettingException.class,
        () -> ClientGrant.everything("x", "short"));
    assertFalse(shortOne.getMessage().contains("short\""), shortOne.getMessage());
    assertThrows(InvalidSettingException.class, () -> ClientGrant.everything("x", "with a space 0123456789"));
  }

  @Test
  void tokensAreMatchedWholeAndOnlyWhole() {
    ClientTokens tokens = new ClientTokens(List.of(ClientGrant.everything("a", SECRET),
        ClientGrant.everything("b", SECRET + "-b")));
    assertEquals("a", tokens.match(SECRET).orElseThrow().name());
    assertEquals("b", tokens.match(SECRET + "-b").orElseThrow().name());
    assertTrue(tokens.match(SECRET.substring(1)).isEmpty());
    assertTrue(tokens.match(SECRET + "x").isEmpty());
    assertTrue(tokens.match(null).isEmpty());
  }
}
